// The runner's retries of a failing environment (status.retry) in words: how many attempts failed and
// when the next one is. Pure, and free of Node APIs (the webview imports it too).

import type { RetryStatus } from '../api';

/** `5s`, `1m 20s`, `2h 5m`: a countdown that stays short. */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m ${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
}

/**
 * `attempt 3 failed · next try in 20s`, `attempt 3 failed · trying again now`, or `attempt 1 failed ·
 * not retried until something changes` (a terminal error); empty without retries.
 */
export function retryText(retry: RetryStatus | undefined, now: number): string {
  if (!retry) return '';
  const attempts = retry.attempts === 1 ? 'attempt 1 failed' : `${retry.attempts} attempts failed`;
  if (!retry.nextAttemptAt) return `${attempts} · not retried until something changes`;
  const wait = Date.parse(retry.nextAttemptAt) - now;
  return wait > 500 ? `${attempts} · next try in ${countdown(wait)}` : `${attempts} · trying again now`;
}

/** Whether the runner will try again by itself (a countdown is worth redrawing). */
export function retryPending(retry: RetryStatus | undefined, now: number): boolean {
  return !!retry?.nextAttemptAt && Date.parse(retry.nextAttemptAt) > now;
}
