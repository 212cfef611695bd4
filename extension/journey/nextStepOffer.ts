// After an environment the user asked for is running: offer the next step (Reopen in it, a new window,
// a terminal), or do what they chose to always do for this folder (kept in globalState by folder, so a
// choice made in one window holds in the next). Decided by nextStep.ts.

import * as vscode from 'vscode';
import type { Environment } from '../../runner/api';
import { displayName } from '../../runner/presentation/displayName';
import { COMMANDS } from '../commands/commandIds';
import { remoteSshInstalled } from '../commands/remoteSsh';
import type { Services } from '../services';
import { decideNextStep, nextStepMessage, type NextStep, type RememberedStep } from './nextStep';

const REMEMBERED_KEY = 'devrig.nextStep';

/** The key a choice is kept under: the environment's folder, else its repository, else its name. */
export function choiceKey(env: Environment | undefined, name: string): string {
  return env?.spec.source.folder ?? (env?.spec.source.git ? `git:${env.spec.source.git.url}` : `env:${name}`);
}

function remembered(s: Services, key: string): RememberedStep | undefined {
  return s.context.globalState.get<Record<string, RememberedStep>>(REMEMBERED_KEY)?.[key];
}

async function remember(s: Services, key: string, step: RememberedStep | undefined): Promise<void> {
  const all = { ...s.context.globalState.get<Record<string, RememberedStep>>(REMEMBERED_KEY) };
  if (step === undefined) delete all[key];
  else all[key] = step;
  await s.context.globalState.update(REMEMBERED_KEY, all);
}

/** Forgets the next step chosen for `folder` (devrig: Forget Choices for This Folder). */
export function forgetNextStep(s: Services, folder: string): Promise<void> {
  return remember(s, folder, undefined);
}

/** `onlyRemembered`: do what the user chose for this folder, but offer nothing (nobody asked). */
export async function offerNextStep(
  s: Services,
  name: string,
  opts: { onlyRemembered?: boolean } = {},
): Promise<void> {
  const env = s.cache.environment(name);
  const key = choiceKey(env, name);
  const remoteSsh = remoteSshInstalled();
  const decision = decideNextStep({
    remoteSsh,
    inside: s.workspace.insideEnvironment() === name,
    remembered: remembered(s, key),
  });
  s.log.info(`next step for ${name}: ${decision.kind === 'none' ? `none (${decision.why})` : decision.kind}`);
  if (decision.kind === 'none' || (decision.kind === 'offer' && opts.onlyRemembered)) return;
  if (decision.kind === 'do') {
    vscode.window.setStatusBarMessage(
      `devrig: ${describe(decision.step)} (your choice for this folder; "devrig: Forget Choices for This Folder" asks again)`,
      8000,
    );
    return run(decision.step, name);
  }
  const display = displayName(env, name);
  const picked = await vscode.window.showInformationMessage(
    nextStepMessage(display, remoteSsh),
    ...decision.buttons.map((b) => b.label),
  );
  let choice = decision.buttons.find((b) => b.label === picked);
  if (choice?.step === 'more') {
    choice = await vscode.window.showQuickPick(decision.more, {
      placeHolder: `${display} is ready: what next?`,
    });
  }
  if (!choice) return;
  if (choice.remember) await remember(s, key, choice.remember);
  if (choice.step && choice.step !== 'more') await run(choice.step, name);
}

function describe(step: NextStep): string {
  return step === 'reopen'
    ? 'reopening in the environment'
    : step === 'newWindow'
      ? 'opening a new window'
      : 'opening a terminal';
}

async function run(step: NextStep, name: string): Promise<void> {
  const command =
    step === 'reopen'
      ? COMMANDS.openInRemoteSsh
      : step === 'newWindow'
        ? COMMANDS.openInRemoteSshNewWindow
        : COMMANDS.openTerminal;
  await vscode.commands.executeCommand(command, name);
}
