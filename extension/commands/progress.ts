// Long work in a progress notification: it follows the environment through the watch stream, can be
// cancelled (that stops the waiting, not the runner), and a failure shows the failing condition's
// message with "Show Logs".

import * as vscode from 'vscode';
import { waitsForConsent } from '../../runner/client/consent';
import type { Want } from '../environments/outcome';
import { waitForEnvironment, type WaitResult } from '../environments/waitForEnvironment';
import type { Services } from '../services';
import { COMMANDS } from './commandIds';
import { askForConsent } from './consent';

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
  if (result.state === 'failed' && waitsForConsent(result.env)) {
    // Waiting for the user's consent: ask (once), and follow the environment on when it is given.
    const generation = await askForConsent(s, result.env);
    if (generation !== undefined) return followWithProgress(s, { ...opts, generation });
  }
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
  const env = s.cache.environment(name);
  const consent = env && waitsForConsent(env) ? ['Review Access…'] : [];
  const choice = await vscode.window.showErrorMessage(
    `devrig: ${name}: ${message}`,
    ...consent,
    'Show Logs',
    'Show Details',
  );
  if (choice === 'Show Logs') await vscode.commands.executeCommand(COMMANDS.showLogs, name);
  else if (choice === 'Show Details') await vscode.commands.executeCommand(COMMANDS.showDetails, name);
  else if (choice === 'Review Access…' && env) {
    const generation = await askForConsent(s, env, { again: true });
    if (generation !== undefined) {
      await followWithProgress(s, { title: `devrig: Starting ${name}`, name, generation, want: 'Running' });
    }
  }
}
