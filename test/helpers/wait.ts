import {
  isApiError,
  type Environment,
  type EnvironmentPhase,
  type Kind,
  type Resource,
} from '../../runner/api';
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
 * Waits, through the runner's watch stream (events, not polling), until the resource
 * satisfies `pred`. Rejects with the last seen status on timeout.
 */
export function watchResourceUntil<K extends Kind>(
  client: RunnerClient,
  kind: K,
  name: string,
  pred: (r: Extract<Resource, { kind: K }>) => boolean,
  what: string,
  timeoutMs = 120_000,
): Promise<Extract<Resource, { kind: K }>> {
  type R = Extract<Resource, { kind: K }>;
  return new Promise((resolve, reject) => {
    let last: R | undefined;
    let handle: { cancel(): Promise<void> } | undefined;
    let done = false;
    const finish = (err: Error | undefined, r?: R) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void handle?.cancel();
      if (err) reject(err);
      else resolve(r!);
    };
    const timer = setTimeout(() => {
      const summary = last
        ? `phase ${last.status.phase}; ${last.status.conditions.map((c) => `${c.type}=${c.status}(${c.reason}: ${c.message})`).join(', ')}`
        : 'never seen';
      finish(new Error(`timed out waiting for ${kind.toLowerCase()} ${name} ${what}: ${summary}`));
    }, timeoutMs);
    client
      .stream('watch', { kind, name }, (e) => {
        if (e.object.kind !== kind || e.type === 'DELETED') return;
        last = e.object as R;
        if (pred(last)) finish(undefined, last);
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

export function watchUntil(
  client: RunnerClient,
  name: string,
  pred: (env: Environment) => boolean,
  what: string,
  timeoutMs = 120_000,
): Promise<Environment> {
  return watchResourceUntil(client, 'Environment', name, pred, what, timeoutMs);
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
    const gone = () => {
      clearTimeout(timer);
      resolve();
    };
    void client
      .stream('watch', { kind: 'Environment', name }, (e) => {
        if (e.type === 'DELETED') gone();
      })
      // Already gone before the watch began: no DELETED will come.
      .then(() => client.call('get', { kind: 'Environment', name }))
      .then(
        () => {},
        (e) => (isApiError(e, 'NotFound') ? gone() : reject(e)),
      );
  });
}

/** Deletes the environment and resolves once it is gone (the watch starts first: nothing is missed). */
export async function deleteAndWait(client: RunnerClient, name: string, timeoutMs = 60_000): Promise<void> {
  const gone = waitForDeleted(client, name, timeoutMs);
  await client.call('delete', { kind: 'Environment', name });
  await gone;
}
