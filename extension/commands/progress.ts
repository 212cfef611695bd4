// Long work in a progress notification that tracks it: the step the environment is on and the last line
// of its log, a Show Log link, and a Cancel that cancels — for work that brings an environment up, the
// environment is sent back to Stopped through its spec (the runner aborts the build or pull under way);
// for the rest Cancel only stops following. A failure is shown with its reason and what can be done
// (failures/failureNotice.ts).

import * as vscode from 'vscode';
import { waitsForConsent } from '../../runner/client/consent';
import { displayName } from '../../runner/presentation/displayName';
import { failureSummary, summarizeFailure } from '../../runner/presentation/failureSummary';
import { applyLifecycle } from '../environments/desiredState';
import type { Want } from '../environments/outcome';
import { lastLine, progressMessage } from '../environments/progressText';
import { waitForEnvironment, type WaitResult } from '../environments/waitForEnvironment';
import { notifyFailure } from '../failures/failureNotice';
import type { Services } from '../services';
import { COMMANDS } from './commandIds';
import { connectedClient } from './connected';
import { askForConsent } from './consent';

export interface FollowOptions {
  /** `Creating`, `Starting`, …: the title is `devrig: <verb> <display name>`. */
  verb: string;
  name: string;
  generation: number;
  want: Want | 'Deleted';
  /** What Cancel does: send the environment back to Stopped, or only stop following (default). */
  cancel?: 'stop' | 'detach' | 'none';
}

/** Progress messages are not updated more often than this (a chatty build). */
const UPDATE_MS = 250;

/** A command link in notification markdown: `command:id?<encoded JSON args>`. */
function commandLink(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

export async function followWithProgress(s: Services, opts: FollowOptions): Promise<WaitResult> {
  const display = displayName(s.cache.environment(opts.name), opts.name);
  const result = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `devrig: ${opts.verb} ${display} ([Show Log](${commandLink(COMMANDS.showLogs, [opts.name])}))`,
      cancellable: opts.cancel !== 'none',
    },
    async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      let logLine: string | undefined;
      let shown = '';
      let timer: ReturnType<typeof setTimeout> | undefined;
      const show = () => {
        timer = undefined;
        const env = s.cache.environment(opts.name);
        const message =
          opts.want === 'Deleted'
            ? (env?.status.phase ?? 'Deleted')
            : progressMessage(env, opts.generation, opts.want, logLine);
        if (message !== shown) progress.report({ message: (shown = message) });
      };
      const update = () => (timer ??= setTimeout(show, UPDATE_MS));
      const log = followLogTail(s, opts.name, (line) => {
        logLine = line;
        update();
      });
      try {
        show();
        return await waitForEnvironment({
          cache: s.cache,
          name: opts.name,
          generation: opts.generation,
          want: opts.want,
          signal: abort.signal,
          onProgress: update,
        });
      } finally {
        if (timer) clearTimeout(timer);
        sub.dispose();
        void log.then((stop) => stop());
      }
    },
  );
  if (result.state === 'failed' && waitsForConsent(result.env)) {
    // Waiting for the user's consent: ask (once), and follow the environment on when it is given.
    const generation = await askForConsent(s, result.env);
    if (generation !== undefined) return followWithProgress(s, { ...opts, generation });
  }
  if (result.state === 'failed') void reportFailure(s, opts.name, result.reason, result.message);
  else if (result.state === 'deleted' && opts.want !== 'Deleted') {
    void vscode.window.showWarningMessage(`devrig: environment ${display} was deleted`);
  } else if (result.state === 'cancelled') {
    if (opts.cancel === 'stop') return cancelToStopped(s, opts.name, display);
    s.log.info(`stopped following ${opts.name} (${opts.verb}); the runner carries on`);
  }
  return result;
}

/** Cancel of work that brings an environment up: Stopped, through the spec (the runner aborts the work). */
async function cancelToStopped(s: Services, name: string, display: string): Promise<WaitResult> {
  s.log.info(`${name}: cancelled; stopping it`);
  const client = await connectedClient(s);
  const applied = await applyLifecycle(client, name, 'stop', { known: s.cache.environment(name) });
  const stopped = await followWithProgress(s, {
    verb: 'Cancelling',
    name,
    generation: applied.metadata.generation,
    want: 'Stopped',
    cancel: 'none',
  });
  if (stopped.state === 'done')
    void vscode.window.showInformationMessage(`devrig: cancelled; ${display} is stopped.`);
  return { state: 'cancelled' };
}

/** The last line of the environment's log as it is written (no history); resolves to the unsubscribe. */
async function followLogTail(s: Services, name: string, onLine: (line: string) => void): Promise<() => void> {
  const client = s.runner.client;
  if (!client) return () => {};
  try {
    const h = await client.stream('logs', { name, follow: true, tail: 0 }, (e) => {
      const line = lastLine(e.data);
      if (line) onLine(line);
    });
    h.done.catch(() => {});
    return () => void h.cancel().catch(() => {});
  } catch {
    return () => {}; // not there yet (a create): the phase alone says enough
  }
}

export async function reportFailure(
  s: Services,
  name: string,
  reason: string,
  message: string,
): Promise<void> {
  const env = s.cache.environment(name);
  const summary = (env && failureSummary(env)) ?? summarizeFailure(reason, message);
  await notifyFailure(s, summary, {
    who: displayName(env, name),
    name,
    ...(env && waitsForConsent(env)
      ? {
          reviewAccess: async () => {
            const generation = await askForConsent(s, env, { again: true });
            if (generation !== undefined)
              await followWithProgress(s, {
                verb: 'Starting',
                name,
                generation,
                want: 'Running',
                cancel: 'stop',
              });
          },
        }
      : {}),
  });
}
