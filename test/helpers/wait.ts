import type { Environment, EnvironmentPhase } from '../../runner/api';
import type { RunnerClient } from '../../runner/client/runnerClient';

/** Polls `check` until it returns a value (not undefined/false) or the deadline passes. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Waits, through the runner's watch stream (events, not polling), until the
 * environment satisfies `pred`. Rejects with the last seen status on timeout.
 */
export function watchUntil(
  client: RunnerClient,
  name: string,
  pred: (env: Environment) => boolean,
  what: string,
  timeoutMs = 120_000,
): Promise<Environment> {
  return new Promise((resolve, reject) => {
    let last: Environment | undefined;
    let handle: { cancel(): Promise<void> } | undefined;
    let done = false;
    const finish = (err: Error | undefined, env?: Environment) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void handle?.cancel();
      if (err) reject(err);
      else resolve(env!);
    };
    const timer = setTimeout(() => {
      const summary = last
        ? `phase ${last.status.phase}; ${last.status.conditions.map((c) => `${c.type}=${c.status}(${c.reason}: ${c.message})`).join(', ')}`
        : 'never seen';
      finish(new Error(`timed out waiting for ${name} ${what}: ${summary}`));
    }, timeoutMs);
    client
      .stream('watch', { kind: 'Environment', name }, (e) => {
        if (e.object.kind !== 'Environment' || e.type === 'DELETED') return;
        last = e.object;
        if (pred(e.object)) finish(undefined, e.object);
      })
      .then(
        (h) => {
          handle = h;
          if (done) void h.cancel();
        },
        (e) => finish(e as Error),
      );
  });
}

/** Phase reached for the current generation. */
export function waitForPhase(
  client: RunnerClient,
  name: string,
  phase: EnvironmentPhase,
  timeoutMs?: number,
): Promise<Environment> {
  return watchUntil(
    client,
    name,
    (e) => e.status.phase === phase && e.status.observedGeneration >= e.metadata.generation,
    `to be ${phase}`,
    timeoutMs,
  );
}

/** Resolves when the environment is gone from the store. */
export function waitForDeleted(client: RunnerClient, name: string, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${name} to be deleted`)),
      timeoutMs,
    );
    void client
      .stream('watch', { kind: 'Environment', name }, (e) => {
        if (e.type === 'DELETED') {
          clearTimeout(timer);
          resolve();
        }
      })
      .catch(reject);
  });
}
