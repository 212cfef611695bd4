import type { Environment } from '../api/environment';
import { failingCondition } from '../api/phase';
import type { RunnerClient } from '../client/runnerClient';

export type WaitOutcome =
  { ok: true; env: Environment } | { ok: false; env?: Environment; message: string; reason: string };

/**
 * Watches one environment until it has observed `generation` and reached `want`
 * (or failed for that generation, or vanished when waiting for deletion).
 */
export async function waitForEnvironment(
  client: RunnerClient,
  name: string,
  generation: number,
  want: 'Running' | 'Stopped' | 'Deleted',
  timeoutMs: number,
  onChange?: (env: Environment) => void,
  /** Watch from here (resumed) rather than from now: nothing in between is missed. */
  resourceVersion?: string,
): Promise<WaitOutcome> {
  return new Promise<WaitOutcome>((resolve, reject) => {
    let done = false;
    let handle: { cancel(): Promise<void> } | undefined;
    const finish = (o: WaitOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void handle?.cancel();
      resolve(o);
    };
    const timer = setTimeout(
      () =>
        finish({
          ok: false,
          reason: 'Timeout',
          message: `not ${want} after ${Math.round(timeoutMs / 1000)}s`,
        }),
      timeoutMs,
    );
    client
      .stream('watch', { kind: 'Environment', name, resourceVersion }, (e) => {
        if (e.object.kind !== 'Environment') return;
        const env = e.object;
        if (e.type === 'DELETED') {
          if (want === 'Deleted') finish({ ok: true, env });
          else finish({ ok: false, env, reason: 'Deleted', message: `environment "${name}" was deleted` });
          return;
        }
        onChange?.(env);
        const failure = failureFor(env, generation);
        if (failure) return finish({ ok: false, env, ...failure });
        if (want !== 'Deleted' && env.status.observedGeneration >= generation && env.status.phase === want) {
          finish({ ok: true, env });
        }
      })
      .then((h) => {
        handle = h;
        if (done) void h.cancel();
        h.done.catch((e) => finish({ ok: false, reason: 'Disconnected', message: (e as Error).message }));
      }, reject);
  });
}

/** A Failed phase that is about this generation (not a leftover from before the change). */
export function failureFor(
  env: Environment,
  generation: number,
): { reason: string; message: string } | undefined {
  if (env.status.phase !== 'Failed') return undefined;
  const c = failingCondition(env.status.conditions);
  if (!c || c.observedGeneration < generation) return undefined;
  return { reason: c.reason, message: c.message };
}
