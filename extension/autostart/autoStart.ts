// Auto start on folder open: once the runner is connected and the folder scanned, decide (pure) and
// then ask, create or start. At most once per folder per session; "Don't Ask Again" is kept in
// workspaceState. A config that does not even parse is reported at once (with Open Config at the
// error), not after the user said yes; any failure of what follows is shown with what to do.

import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { ConfigError } from '../../runner/devcontainer/errors';
import { readJsonc } from '../../runner/devcontainer/syntax';
import { displayName } from '../../runner/presentation/displayName';
import { summarizeFailure } from '../../runner/presentation/failureSummary';
import { COMMANDS } from '../commands/commandIds';
import { createEnvironment, pickConfig } from '../commands/createCommands';
import { runLifecycle } from '../commands/lifecycleCommands';
import { remoteSshInstalled } from '../commands/remoteCommands';
import { notifyFailure } from '../failures/failureNotice';
import { offerNextStep } from '../journey/nextStepOffer';
import type { Services } from '../services';
import { decideAutoStart, type AutoStartAction } from './autoStartDecision';
import { autoStartPrompt, type AutoStartAnswer } from './autoStartPrompt';

const NEVER_KEY = 'devrig.autoStart.never';
/** Folders handled in this extension host's life (one window session). */
const handled = new Set<string>();

/** Forgets "Don't Ask Again" for `folder` (devrig: Forget Choices for This Folder). */
export async function forgetNeverForFolder(s: Services, folder: string): Promise<void> {
  const never = s.context.workspaceState.get<string[]>(NEVER_KEY) ?? [];
  await s.context.workspaceState.update(
    NEVER_KEY,
    never.filter((f) => f !== folder),
  );
  handled.delete(folder);
}

export function startAutoStart(s: Services): vscode.Disposable {
  let disposed = false;
  let armed = false;
  // One decision at a time, each on the folder as last scanned.
  let chain = Promise.resolve();
  const decide = () => {
    chain = chain
      .then(() => (disposed ? undefined : autoStartOnce(s, decide)))
      .catch((e: Error) => {
        s.log.warn(`auto start: ${e.message}`);
        void vscode.window.showErrorMessage(`devrig: auto start: ${e.message}`, 'Show Log').then((c) => {
          if (c) s.log.show(true);
        });
      });
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

/** The config the folder's environment uses (or would): a syntax error there is reported before asking. */
function configToCheck(s: Services): string | undefined {
  const env = s.workspace.environment();
  if (env?.status.configFile?.startsWith('/')) return env.status.configFile;
  const configs = s.workspace.folder?.configs ?? [];
  return configs.length === 1 ? configs[0] : undefined;
}

/** The syntax error of `file`, as a ConfigError with file:line:col, or undefined. */
async function syntaxError(file: string): Promise<ConfigError | undefined> {
  try {
    readJsonc(await readFile(file, 'utf8'), file);
    return undefined;
  } catch (e) {
    return e instanceof ConfigError ? e : undefined;
  }
}

async function askWhat(s: Services, what: 'create' | 'start', display?: string): Promise<AutoStartAnswer> {
  const prompt = autoStartPrompt(what, remoteSshInstalled(), display);
  const picked = await vscode.window.showInformationMessage(
    prompt.message,
    ...prompt.buttons.map((b) => b.label),
  );
  let answer = prompt.buttons.find((b) => b.label === picked)?.answer;
  if (answer === 'more') {
    const more = await vscode.window.showQuickPick(prompt.more, { placeHolder: prompt.message });
    answer = more?.answer;
  }
  s.log.info(`auto start: asked, answer ${answer ?? 'dismissed'}`);
  return answer === 'more' || answer === undefined ? 'notNow' : answer;
}

async function autoStartOnce(s: Services, again: () => void): Promise<void> {
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
  const retry = async () => {
    handled.delete(info.path);
    again();
  };
  const file = configToCheck(s);
  const broken = file ? await syntaxError(file) : undefined;
  if (broken) {
    void notifyFailure(s, summarizeFailure('ConfigInvalid', broken.message), {
      who: env ? displayName(env) : basename(info.path),
      ...(env ? { name: env.metadata.name } : {}),
      retry,
    });
    return;
  }
  let answer: AutoStartAnswer = 'start';
  if (action.kind === 'ask') {
    answer = await askWhat(s, action.what, env ? displayName(env) : undefined);
    if (answer === 'never') {
      const never = s.context.workspaceState.get<string[]>(NEVER_KEY) ?? [];
      await s.context.workspaceState.update(NEVER_KEY, [...never, info.path]);
      return;
    }
    if (answer === 'notNow') return;
  }
  const result =
    action.what === 'create'
      ? await createEnvironment(
          s,
          { kind: 'folder', folder: info.path, configFile: await pickConfig(info.path) },
          { offerNext: false },
        )
      : await runLifecycle(s, env!.metadata.name, 'start');
  if (result.state !== 'done') return;
  const name = result.env.metadata.name;
  if (answer === 'startAndReopen') await vscode.commands.executeCommand(COMMANDS.openInRemoteSsh, name);
  // The user said yes: offer the next step. With "always" nothing was asked: only a remembered choice,
  // or Reopen when Remote-SSH is there (no nagging about a terminal nobody asked for).
  else if (action.kind === 'ask' || remoteSshInstalled()) await offerNextStep(s, name);
  else await offerNextStep(s, name, { onlyRemembered: true });
}

function describe(a: AutoStartAction): string {
  return a.kind === 'none' ? `nothing to do (${a.why})` : `${a.kind} ${a.what}`;
}
