// Auto start on folder open: once the runner is connected and the folder scanned, decide (pure) and
// then ask, create or start. At most once per folder per session; "Never for this folder" is kept in
// workspaceState.

import * as vscode from 'vscode';
import { COMMANDS } from '../commands/commandIds';
import { createEnvironment, pickConfig } from '../commands/createCommands';
import { runLifecycle } from '../commands/lifecycleCommands';
import { offerToOpen } from '../commands/openOffer';
import { remoteSshInstalled } from '../commands/remoteCommands';
import type { Services } from '../services';
import { decideAutoStart, type AutoStartAction } from './autoStartDecision';

const NEVER_KEY = 'devrig.autoStart.never';
/** Folders handled in this extension host's life (one window session). */
const handled = new Set<string>();

export function startAutoStart(s: Services): vscode.Disposable {
  let disposed = false;
  let armed = false;
  // One decision at a time, each on the folder as last scanned.
  let chain = Promise.resolve();
  const decide = () => {
    chain = chain
      .then(() => (disposed ? undefined : autoStartOnce(s)))
      .catch((e: Error) => s.log.warn(`auto start: ${e.message}`));
  };
  // A folder added later or a config created: the folder state rescans, then says 'change'.
  const onChange = () => {
    if (armed) decide();
  };
  s.workspace.on('change', onChange);
  const first = async () => {
    await s.workspace.ready();
    // Decide on current objects only: a stale cache could miss the folder's environment and create a second.
    await s.runner.whenConnected();
    await s.cache.whenSynced();
    if (disposed) return;
    armed = true;
    decide();
  };
  void first().catch((e: Error) => s.log.warn(`auto start: ${e.message}`));
  return new vscode.Disposable(() => {
    disposed = true;
    s.workspace.off('change', onChange);
  });
}

async function autoStartOnce(s: Services): Promise<void> {
  await s.workspace.ready();
  await s.cache.whenSynced();
  const info = s.workspace.folder;
  const settings = s.settings();
  const action = decideAutoStart({
    setting: settings.autoStart,
    hasConfig: (info?.configs.length ?? 0) > 0,
    trusted: vscode.workspace.isTrusted,
    environment: s.workspace.environment(),
    insideEnvironment: s.workspace.insideEnvironment() !== undefined,
    neverForFolder: !!info && (s.context.workspaceState.get<string[]>(NEVER_KEY) ?? []).includes(info.path),
    handledThisSession: !!info && handled.has(info.path),
  });
  s.log.info(`auto start: ${describe(action)}`);
  if (action.kind === 'none' || !info) return;
  handled.add(info.path);
  const env = s.workspace.environment();
  let reopen = false;
  if (action.kind === 'ask') {
    const remote = remoteSshInstalled();
    const verb = action.what === 'create' ? 'Create & Start' : 'Start';
    const question =
      action.what === 'create'
        ? `This folder has a dev container configuration. Create a devrig environment for it and start it?`
        : `The devrig environment ${env?.metadata.name} for this folder is stopped. Start it?`;
    const choices = [verb, ...(remote ? [`${verb} & Reopen`] : []), 'Not Now', 'Never for This Folder'];
    const choice = await vscode.window.showInformationMessage(question, ...choices);
    if (choice === 'Never for This Folder') {
      const never = s.context.workspaceState.get<string[]>(NEVER_KEY) ?? [];
      await s.context.workspaceState.update(NEVER_KEY, [...never, info.path]);
      return;
    }
    if (choice !== verb && choice !== `${verb} & Reopen`) return;
    reopen = choice === `${verb} & Reopen`;
  }
  let result;
  if (action.what === 'create') {
    const configFile = await pickConfig(info.path);
    result = await createEnvironment(
      s,
      { kind: 'folder', folder: info.path, configFile },
      { offerOpen: false },
    );
  } else {
    result = await runLifecycle(s, env!.metadata.name, 'start');
  }
  if (result.state !== 'done') return;
  const name = result.env.metadata.name;
  if (reopen) await vscode.commands.executeCommand(COMMANDS.openInRemoteSsh, name);
  // With "always" nothing was asked: offer to reopen, but only with Remote-SSH (else no nagging).
  else if (action.kind === 'do' && remoteSshInstalled()) await offerToOpen(s, name);
}

function describe(a: AutoStartAction): string {
  return a.kind === 'none' ? `nothing to do (${a.why})` : `${a.kind} ${a.what}`;
}
