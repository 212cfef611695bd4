import type { Environment } from '../api/environment';
import { ApiError } from '../api/apiError';
import type { SessionTarget } from '../reconcile/environment/environmentReconciler';
import type { ResourceStore } from '../store/resourceStore';
import { quoted } from '../util/logText';

/** What a login as environment `name` may do, decided from the stored object alone. Pure. */
export type Access =
  | { kind: 'ready' }
  /** Wanted running and on its way (pending, building, starting): wait for it. */
  | { kind: 'wait' }
  /** Stopped, and the user allowed starting it on connect. */
  | { kind: 'start' }
  | { kind: 'refuse'; reason: string };

export function accessFor(env: Environment | undefined, name: string): Access {
  // The name is whatever the client sent as its user: quoted, so it cannot forge a log line.
  if (!env) return { kind: 'refuse', reason: `no environment named ${quoted(name)}` };
  if (env.metadata.deletionTimestamp)
    return { kind: 'refuse', reason: `environment "${name}" is being deleted` };
  const { phase } = env.status;
  if (env.spec.state === 'Stopped') {
    if (env.spec.startOnConnect) return { kind: 'start' };
    return {
      kind: 'refuse',
      reason: `environment "${name}" is stopped (start it with \`devrig start ${name}\`, or set spec.startOnConnect)`,
    };
  }
  if (phase === 'Running' && env.status.containerId) return { kind: 'ready' };
  if (phase === 'Failed' && env.status.observedGeneration >= env.metadata.generation) {
    return {
      kind: 'refuse',
      reason: `environment "${name}" failed: ${env.status.lastError ?? 'see devrig logs'}`,
    };
  }
  if (phase === 'Unreachable') return { kind: 'refuse', reason: `environment "${name}" is unreachable` };
  return { kind: 'wait' };
}

/** Whether `env` is running its current spec, failed at it, or neither yet. Pure. */
export function startOutcome(env: Environment | undefined): 'running' | 'gone' | 'failed' | 'pending' {
  if (!env || env.metadata.deletionTimestamp) return 'gone';
  const current = env.status.observedGeneration >= env.metadata.generation;
  if (env.status.phase === 'Running' && env.status.containerId && current) return 'running';
  if (env.status.phase === 'Failed' && current) return 'failed';
  return 'pending';
}

/** Sets spec.state Running (read-modify-write with the resourceVersion, retried on a conflict). */
export async function requestStart(store: ResourceStore, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const env = store.mustGet('Environment', name);
    if (env.spec.state === 'Running') return;
    try {
      await store.apply({
        kind: 'Environment',
        metadata: { name, resourceVersion: env.metadata.resourceVersion },
        spec: { ...env.spec, state: 'Running' },
      });
      return;
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 'Conflict') || attempt >= 3) throw e;
    }
  }
}

/** Resolves once the environment runs its current spec; rejects when it fails, goes away or the deadline passes. */
export function waitUntilRunning(
  store: ResourceStore,
  name: string,
  timeoutMs: number,
): Promise<Environment> {
  return new Promise((resolve, reject) => {
    let stop = () => {};
    let done = false;
    const finish = (err: Error | undefined, env?: Environment) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stop();
      if (err) reject(err);
      else resolve(env!);
    };
    const check = (env: Environment | undefined) => {
      const outcome = startOutcome(env);
      if (outcome === 'running') finish(undefined, env);
      else if (outcome === 'gone') finish(new Error(`environment "${name}" was deleted`));
      else if (outcome === 'failed') {
        finish(
          new Error(`environment "${name}" failed to start: ${env?.status.lastError ?? 'see devrig logs'}`),
        );
      }
    };
    const timer = setTimeout(
      () => finish(new Error(`environment "${name}" did not start within ${Math.round(timeoutMs / 1000)} s`)),
      timeoutMs,
    );
    // The watch first replays the current object, so a finished start resolves at once.
    stop = store.watch({ kind: 'Environment', name }, (e) => {
      check(e.type === 'DELETED' || e.object.kind !== 'Environment' ? undefined : e.object);
    });
    if (done) stop();
    else if (!store.get('Environment', name)) check(undefined);
  });
}

/**
 * Where a session for `name` runs, starting the environment first when the user allowed it and
 * waiting while it comes up. `progress` hears one line when there is a wait.
 */
export async function resolveSessionTarget(
  deps: {
    store: ResourceStore;
    sessionTarget(env: Environment): Promise<SessionTarget | undefined>;
    startTimeoutMs: number;
  },
  name: string,
  progress: (line: string) => void = () => {},
): Promise<SessionTarget> {
  let env = deps.store.get('Environment', name);
  const access = accessFor(env, name);
  if (access.kind === 'refuse') throw new Error(access.reason);
  if (access.kind !== 'ready') {
    progress(`devrig: waiting for environment "${name}" to start…`);
    if (access.kind === 'start') await requestStart(deps.store, name);
    env = await waitUntilRunning(deps.store, name, deps.startTimeoutMs);
  }
  const target = await deps.sessionTarget(env!);
  if (!target) throw new Error(`environment "${name}" has no reachable container`);
  return target;
}
