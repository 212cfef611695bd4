// A live runner connection for a command: at once when connected, else behind a cancellable
// "waiting for the runner" notification, so a click never seems to do nothing.

import * as vscode from 'vscode';
import type { RunnerClient } from '../../runner/client/runnerClient';
import type { Services } from '../services';

export async function connectedClient(s: Pick<Services, 'runner'>): Promise<RunnerClient> {
  const live = s.runner.client;
  if (live) return live;
  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: 'devrig: waiting for the runner…',
      cancellable: true,
    },
    async (_progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      try {
        return await s.runner.whenConnected(abort.signal);
      } catch (e) {
        if (abort.signal.aborted) throw new vscode.CancellationError();
        throw e;
      } finally {
        sub.dispose();
      }
    },
  );
}
