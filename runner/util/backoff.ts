// Retry delays: exponential, capped, with optional jitter (windows that lost the same runner do not
// all knock at once; services restarted after a crash). Pure, so the schedule is testable.

export interface BackoffOptions {
  /** Delay before the first retry. */
  initialMs: number;
  maxMs: number;
  factor: number;
  /** 0 = no jitter; 1 = anywhere between half and the full delay. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 30_000, factor: 2, jitter: 0.5 };

/** The delay before retry number `attempt` (1-based); `random` is injectable for tests. */
export function backoffDelay(
  attempt: number,
  opts: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const exp = opts.initialMs * opts.factor ** Math.max(0, attempt - 1);
  const capped = Math.min(opts.maxMs, exp);
  const jittered = capped * (1 - opts.jitter * 0.5 * random());
  return Math.max(0, Math.round(jittered));
}
