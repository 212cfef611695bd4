// Create Environment: from the open folder's devcontainer config, from a folder picked on disk, or from
// a Git URL. New environments get devrig.defaultResources.

import { basename, relative } from 'node:path';
import * as vscode from 'vscode';
import { isApiError, type Environment } from '../../runner/api';
import { summarizeFailure } from '../../runner/presentation/failureSummary';
import { nameFromFolder } from '../../runner/client/naming';
import { devcontainerConfigsIn } from '../autostart/devcontainerPresence';
import { validateGitUrl } from '../environments/gitUrl';
import { environmentForFolder, nameFromGitUrl, uniqueName } from '../../runner/client/naming';
import { folderWithin, newEnvironment, type NewEnvironmentSource } from '../environments/newEnvironment';
import { withLocalEnv } from '../../runner/client/captureLocalEnv';
import type { WaitResult } from '../environments/waitForEnvironment';
import type { Services } from '../services';
import { connectedClient } from './connected';
import { COMMANDS } from './commandIds';
import { followWithProgress } from './progress';
import type { CommandHandlers } from './registry';
import { offerNextStep } from '../journey/nextStepOffer';
import { notifyFailure } from '../failures/failureNotice';

/** A create the runner refused (bad config): nothing was stored, the user was told. */
export type CreateResult = WaitResult | { state: 'refused'; message: string };

/**
 * Applies the environment for `source` (reusing the folder's existing one) and follows it to Running.
 * `offerNext`: the user asked for it, so once it runs the next step is offered (Reopen / Terminal).
 */
export async function createEnvironment(
  s: Services,
  source: NewEnvironmentSource,
  opts: { offerNext: boolean } = { offerNext: true },
): Promise<CreateResult> {
  const client = await connectedClient(s);
  // The folder's existing environment must be known, or a second one would be created.
  await s.cache.whenSynced();
  const envs = s.cache.environments();
  const existing: Environment | undefined =
    source.kind === 'folder' ? environmentForFolder(envs, source.folder) : undefined;
  const taken = new Set(envs.map((e) => e.metadata.name));
  const name =
    existing?.metadata.name ??
    (source.kind === 'folder'
      ? uniqueName(nameFromFolder(source.folder), source.folder, taken)
      : uniqueName(nameFromGitUrl(source.url), source.url, taken));
  const resource = newEnvironment({
    name,
    source,
    resources: s.settings().defaultResources,
    ...(existing
      ? { existing: { resourceVersion: existing.metadata.resourceVersion, spec: existing.spec } }
      : {}),
  });
  // ${localEnv:…} resolves from this window's environment, as the reference CLI's from its shell's.
  let applied: Awaited<ReturnType<typeof client.call<'apply'>>>;
  try {
    applied = await client.call('apply', {
      resource: { ...resource, spec: await withLocalEnv(resource.spec, process.env) },
    });
  } catch (e) {
    // Refused at the door (a config that does not parse, a missing folder): say where and offer a fix.
    if (!isApiError(e, 'Invalid') && !isApiError(e, 'BadRequest')) throw e;
    const message = (e as Error).message;
    const summary = summarizeFailure(
      /not found|no devcontainer/i.test(message) ? 'ConfigNotFound' : 'ConfigInvalid',
      message,
    );
    void notifyFailure(s, summary, {
      who: source.kind === 'folder' ? basename(source.folder) : name,
      retry: () => createEnvironment(s, source, opts),
    });
    return { state: 'refused', message };
  }
  s.log.info(
    `${existing ? 'updated' : 'created'} environment ${name} (generation ${applied.metadata.generation})`,
  );
  const result = await followWithProgress(s, {
    verb: existing ? 'Starting' : 'Creating',
    name,
    generation: applied.metadata.generation,
    want: 'Running',
    cancel: 'stop',
  });
  if (result.state === 'done' && opts.offerNext) void offerNextStep(s, name);
  return result;
}

/** The folder's devcontainer.json to use: the only one, or the user's pick among several. */
export async function pickConfig(folder: string): Promise<string | undefined> {
  const configs = await devcontainerConfigsIn(folder);
  if (configs.length <= 1) return configs[0];
  const picked = await vscode.window.showQuickPick(
    configs.map((c) => ({ label: relative(folder, c), config: c })),
    { placeHolder: `${basename(folder)} has several devcontainer configurations; pick one` },
  );
  if (!picked) throw new vscode.CancellationError();
  return picked.config;
}

/**
 * Whether VS Code trusts `folder`: only a trusted window's own folders (and what is inside them) are;
 * a folder picked elsewhere has not been looked at by the user, so its initializeCommand needs consent.
 */
function trustedFolder(folder: string): boolean {
  if (!vscode.workspace.isTrusted) return false;
  const roots = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file');
  return folderWithin(
    folder,
    roots.map((f) => f.uri.fsPath),
  );
}

async function fromFolder(s: Services, folder: string): Promise<void> {
  const configFile = await pickConfig(folder);
  if (!configFile) {
    const choice = await vscode.window.showErrorMessage(
      `${folder} has no devcontainer config (.devcontainer/devcontainer.json, .devcontainer.json or .devcontainer/<name>/devcontainer.json).`,
      'Pick Another Folder',
    );
    if (choice) await fromPickedFolder(s);
    return;
  }
  await createEnvironment(s, { kind: 'folder', folder, configFile, trusted: trustedFolder(folder) });
}

async function fromWorkspace(s: Services): Promise<void> {
  await s.workspace.ready();
  const info = s.workspace.folder;
  if (!info) {
    const choice = await vscode.window.showInformationMessage(
      'Open a local folder first, or pick one.',
      'Pick Folder',
    );
    if (choice) await fromPickedFolder(s);
    return;
  }
  if (!vscode.workspace.isTrusted) {
    // Its devcontainer.json may run initializeCommand on this machine.
    const choice = await vscode.window.showWarningMessage(
      'devrig builds and runs environments only from trusted folders: devcontainer.json can run commands on this machine.',
      'Manage Workspace Trust',
    );
    if (choice) await vscode.commands.executeCommand('workbench.trust.manage');
    return;
  }
  await fromFolder(s, info.path);
}

async function fromPickedFolder(s: Services): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Create Environment',
    title: 'Folder with a devcontainer config',
  });
  const uri = picked?.[0];
  if (!uri) return;
  if (uri.scheme !== 'file') throw new Error('pick a folder on this machine');
  await fromFolder(s, uri.fsPath);
}

async function fromGitUrl(s: Services): Promise<void> {
  const input = await vscode.window.showInputBox({
    title: 'Create Environment from a Git Repository',
    prompt: 'Repository URL; add #branch to pick a branch or tag',
    placeHolder: 'https://github.com/org/repo.git',
    ignoreFocusOut: true,
    validateInput: (v) => validateGitUrl(v.split('#')[0] ?? ''),
  });
  if (!input) return;
  const [url, ref] = input.trim().split('#');
  await createEnvironment(s, { kind: 'git', url: url!, ...(ref ? { ref } : {}) });
}

export function createCommands(
  s: Services,
): Pick<CommandHandlers, 'devrig.createEnvironment' | 'devrig.createEnvironmentFromWorkspace'> {
  return {
    [COMMANDS.createEnvironment]: async () => {
      await s.workspace.ready();
      const folder = s.workspace.folder;
      const items = [
        ...(folder && folder.configs.length
          ? [{ label: '$(folder-active) From This Folder', detail: folder.path, run: () => fromWorkspace(s) }]
          : []),
        {
          label: '$(folder-opened) From a Folder…',
          detail: 'A folder on this machine with a devcontainer config',
          run: () => fromPickedFolder(s),
        },
        {
          label: '$(repo-clone) From a Git Repository…',
          detail: 'Cloned into the environment by the runner',
          run: () => fromGitUrl(s),
        },
      ];
      const picked = await vscode.window.showQuickPick(items, { placeHolder: 'Create a devrig environment' });
      await picked?.run();
    },
    [COMMANDS.createEnvironmentFromWorkspace]: () => fromWorkspace(s),
  };
}
