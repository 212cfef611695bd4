// Shows a failure of something devrig did for the user (auto start, a command, a button) as a
// notification with the reason in words and what can be done about it (failureActions.ts), and does
// what the user picks. The same failure is not shown twice within a few seconds (a progress that
// failed and the auto start that started it both report it).

import * as vscode from 'vscode';
import type { FailureSummary } from '../../runner/presentation/failureSummary';
import { COMMANDS } from '../commands/commandIds';
import type { Services } from '../services';
import { FAILURE_ACTION_LABELS, failureNotice, type FailureAction } from './failureActions';
import { openConfigAt } from './openConfig';

export interface FailureTarget {
  /** Who failed, as people know it (the environment's display name, or the config file). */
  who: string;
  /** The environment, when there is one. */
  name?: string;
  /** What Retry does; by default the environment is retried (devrig.retry). */
  retry?: () => Promise<unknown>;
  /** Review Access… (consent), when there is something to allow. */
  reviewAccess?: () => Promise<unknown>;
}

const recent = new Map<string, number>();
const REPEAT_MS = 10_000;

export async function notifyFailure(s: Services, f: FailureSummary, target: FailureTarget): Promise<void> {
  s.log.error(`${target.who}: ${f.reason}: ${f.raw}`);
  const notice = failureNotice(f, {
    who: target.who,
    environment: target.name !== undefined,
    consent: target.reviewAccess !== undefined,
    now: Date.now(),
  });
  const key = `${target.who}\0${f.reason}\0${f.raw}`;
  const last = recent.get(key);
  if (last !== undefined && Date.now() - last < REPEAT_MS) return;
  recent.set(key, Date.now());
  const labels = notice.actions.map((a) => FAILURE_ACTION_LABELS[a]);
  const picked = await vscode.window.showErrorMessage(notice.message, ...labels);
  const action = notice.actions[labels.indexOf(picked ?? '')];
  if (action) await act(s, f, target, action);
}

async function act(
  s: Services,
  f: FailureSummary,
  target: FailureTarget,
  action: FailureAction,
): Promise<void> {
  switch (action) {
    case 'openConfig':
      if (f.location) return openConfigAt(f.location.file, f.location.line, f.location.column);
      return;
    case 'editConfig':
      if (f.configFile) return openConfigAt(f.configFile);
      return;
    case 'retry':
    case 'retryNow':
      recent.clear(); // a retry that fails the same way is news
      if (target.retry) return void (await target.retry());
      if (target.name) return void (await vscode.commands.executeCommand(COMMANDS.retry, target.name));
      return;
    case 'showLog':
      if (target.name) return void (await vscode.commands.executeCommand(COMMANDS.showLogs, target.name));
      return s.log.show(true);
    case 'reviewAccess':
      return void (await target.reviewAccess?.());
    case 'showDetails':
      if (target.name) return void (await vscode.commands.executeCommand(COMMANDS.showDetails, target.name));
  }
}
