import type { Environment } from '../api/environment';
import { environmentOutcome } from '../api/phase';
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
  if (environmentOutcome(env).state === 'failed') {
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
  const outcome = environmentOutcome(env, 'Running');
  if (outcome.state === 'done' && env.status.containerId) return 'running';
  if (outcome.state === 'failed') return 'failed';
  return 'pending';
}
