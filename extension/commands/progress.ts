// Long work in a progress notification: it follows the environment through the watch stream, can be
// cancelled (that stops the waiting, not the runner), and a failure shows the failing condition's
// message with "Show Logs".

import * as vscode from 'vscode';
import type { Want } from '../environments/outcome';
import { waitForEnvironment, type WaitResult } from '../environments/waitForEnvironment';
import type { Services } from '../services';
import { COMMANDS } from './commandIds';

export async function followWithProgress(
  s: Services,
  opts: { title: string; name: string; generation: number; want: Want | 'Deleted' },
): Promise<WaitResult> {
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: opts.title, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      try {
        return await waitForEnvironment({
          cache: s.cache,
          name: opts.name,
          generation: opts.generation,
          want: opts.want,
          signal: abort.signal,
          onProgress: (message) => progress.report({ message }),
        });
      } finally {
        sub.dispose();
      }
    },
  );
  if (result.state === 'failed') void reportFailure(s, opts.name, `${result.reason}: ${result.message}`);
  else if (result.state === 'deleted' && opts.want !== 'Deleted') {
    void vscode.window.showWarningMessage(`devrig: environment ${opts.name} was deleted`);
  } else if (result.state === 'cancelled') {
    s.log.info(`stopped waiting for ${opts.name} (${opts.title}); the runner carries on`);
  }
  return result;
}

export async function reportFailure(s: Services, name: string, message: string): Promise<void> {
  s.log.error(`${name}: ${message}`);
  const choice = await vscode.window.showErrorMessage(
    `devrig: ${name}: ${message}`,
    'Show Logs',
    'Show Details',
  );
  if (choice === 'Show Logs') await vscode.commands.executeCommand(COMMANDS.showLogs, name);
  else if (choice === 'Show Details') await vscode.commands.executeCommand(COMMANDS.showDetails, name);
}
