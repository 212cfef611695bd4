// When to warn that an environment is about to be stopped for inactivity (status.idleStopAt), so the
// user can keep it running. Pure.

import type { Environment } from '../../runner/api';

/** Warn this long before the idle stop. */
export const IDLE_WARNING_LEAD_MS = 5 * 60_000;

export interface IdleWarning {
  /** The idle stop this warning is about (one warning per value). */
  stopAt: number;
  /** When to show it (now or later). */
  warnAt: number;
}

export function idleWarning(env: Environment, leadMs = IDLE_WARNING_LEAD_MS): IdleWarning | undefined {
  if (env.status.phase !== 'Running' || env.spec.state !== 'Running' || !env.status.idleStopAt)
    return undefined;
  const stopAt = Date.parse(env.status.idleStopAt);
  if (!Number.isFinite(stopAt)) return undefined;
  return { stopAt, warnAt: stopAt - leadMs };
}
