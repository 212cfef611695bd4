/**
 * The activity model. Activity is anything that means a person uses the environment: SSH and
 * terminal sessions (opening them and their traffic in either direction), API exec sessions and
 * their traffic, traffic through port forwards, and explicit keep-alives (`devrig keepalive`, the
 * extension's "Keep running"). The environment starting counts too. Processes running in the
 * background on their own (services, builds, a dev server nobody talks to) do not. With
 * spec.timeouts.inactivity set, an environment with no activity for that long is stopped.
 */

/** When an environment last active at `lastActivityMs` is stopped if nothing else happens. */
export function idleDeadline(lastActivityMs: number, timeoutMs: number): number {
  return lastActivityMs + timeoutMs;
}

export function isIdle(nowMs: number, lastActivityMs: number, timeoutMs: number): boolean {
  return nowMs >= idleDeadline(lastActivityMs, timeoutMs);
}

/**
 * Whether a moved deadline is worth a status write: activity can come many times a second, and
 * each write is a journal append; a deadline a little early in the status only makes a warning
 * come a little early, and is corrected by the next write.
 */
export function worthPublishing(publishedMs: number | undefined, nextMs: number, timeoutMs: number): boolean {
  if (publishedMs === undefined) return true;
  const step = Math.max(1000, Math.min(60_000, timeoutMs / 10));
  return Math.abs(nextMs - publishedMs) >= step;
}

export function describeTimeout(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
