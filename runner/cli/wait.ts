import type { Environment } from '../api/environment';
import { environmentOutcome } from '../api/phase';
import type { EventOf, ParamsOf } from '../api/protocol';
import type { RunnerClient } from '../client/runnerClient';

export type WaitOutcome =
  { ok: true; env: Environment } | { ok: false; env?: Environment; message: string; reason: string };

/**
 * Watches `params` until `onEvent` calls `done(value)`: resolves with that value. After `timeoutMs`
 * it resolves with `onTimeout()`; when the watch breaks (or cannot start), with `onBroken(error)`,
 * or rejects with the error when that is not given. What `onEvent` or `onTimeout` throws rejects.
 * The watch is cancelled in every case.
 */
export function watchUntil<T>(
  client: RunnerClient,
  params: ParamsOf<'watch'>,
  onEvent: (event: EventOf<'watch'>, done: (value: T) => void) => void,
  opts: { timeoutMs?: number; onTimeout?: () => T; onBroken?: (e: Error) => T } = {},
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let handle: { cancel(): Promise<void> } | undefined;
    /** Settles once, with what `outcome` returns (or throws). */
    const end = (outcome: () => T) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void handle?.cancel();
      try {
        resolve(outcome());
      } catch (e) {
        reject(e as Error);
      }
    };
    const done = (value: T) => end(() => value);
    const broken = (e: Error) =>
      end(() => {
        if (opts.onBroken) return opts.onBroken(e);
        throw e;
      });
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(
            () =>
              end(() => {
                if (opts.onTimeout) return opts.onTimeout();
                throw new Error('timed out');
              }),
            Math.max(0, opts.timeoutMs),
          );
    client
      .stream('watch', params, (e) => {
        if (settled) return;
        try {
          onEvent(e, done);
        } catch (err) {
          end(() => {
            throw err;
          });
        }
      })
      .then((h) => {
        handle = h;
        if (settled) void h.cancel();
        h.done.then(
          () => broken(new Error('the watch ended')),
          (e) => broken(e as Error),
        );
      }, broken);
  });
}

/**
 * Watches one environment until it has observed `generation` and reached `want`
 * (or failed for that generation, or vanished when waiting for deletion).
 */
export function waitForEnvironment(
  client: RunnerClient,
  name: string,
  generation: number,
  want: 'Running' | 'Stopped' | 'Deleted',
  timeoutMs: number,
  onChange?: (env: Environment) => void,
  /** Watch from here (resumed) rather than from now: nothing in between is missed. */
  resourceVersion?: string,
): Promise<WaitOutcome> {
  let last: Environment | undefined;
  return watchUntil<WaitOutcome>(
    client,
    { kind: 'Environment', name, resourceVersion },
    (e, done) => {
      if (e.object.kind !== 'Environment') return;
      const env = e.object;
      if (e.type === 'DELETED') {
        if (want === 'Deleted') done({ ok: true, env });
        else done({ ok: false, env, reason: 'Deleted', message: `environment "${name}" was deleted` });
        return;
      }
      last = env;
      onChange?.(env);
      // While being deleted nothing fails the wait but time: a step aborted by the deletion may
      // still report its error, and the finalizer retries until the container is gone.
      if (want === 'Deleted') return;
      const failure = failureFor(env, generation);
      if (failure) return done({ ok: false, env, ...failure });
      if (environmentOutcome(env, want, generation).state === 'done') {
        done({ ok: true, env });
      }
    },
    {
      timeoutMs,
      onTimeout: () => ({
        ok: false,
        reason: 'Timeout',
        env: last,
        message: `not ${want} after ${Math.round(timeoutMs / 1000)}s${last?.status.lastError ? ` (last error: ${last.status.lastError})` : ''}`,
      }),
      onBroken: (e) => ({ ok: false, reason: 'Disconnected', message: e.message }),
    },
  );
}

/** A Failed phase that is about this generation (not a leftover from before the change). */
export function failureFor(
  env: Environment,
  generation: number,
): { reason: string; message: string } | undefined {
  const o = environmentOutcome(env, env.spec.state, generation);
  return o.state === 'failed'
    ? { reason: o.reason, message: o.message || (env.status.lastError ?? '') }
    : undefined;
}
