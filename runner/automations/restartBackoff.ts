import { backoffDelay } from '../util/backoff';

/** How long a service that died waits before it is started again. */
export interface RestartPolicy {
  baseMs: number;
  maxMs: number;
  /** A run at least this long counts as healthy: the next failure starts the backoff over. */
  healthyAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { baseMs: 1000, maxMs: 30_000, healthyAfterMs: 30_000 };

/** Failures in a row after a run of `ranForMs` ended (the run that just ended included). */
export function failuresInARow(previous: number, ranForMs: number, policy = DEFAULT_RESTART_POLICY): number {
  return ranForMs >= policy.healthyAfterMs ? 1 : previous + 1;
}

/** 1s, 2s, 4s, … up to the maximum, for the 1st, 2nd, 3rd… failure in a row. */
export function restartDelayMs(failures: number, policy = DEFAULT_RESTART_POLICY): number {
  return backoffDelay(Math.max(1, failures), {
    initialMs: policy.baseMs,
    maxMs: policy.maxMs,
    factor: 2,
    jitter: 0,
  });
}
