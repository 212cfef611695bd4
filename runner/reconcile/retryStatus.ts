// What status.retry says after an attempt on an environment: how many attempts in a row failed and
// when the work queue tries again, or nothing once one succeeded. Pure.

import type { RetryStatus } from '../api';
import type { AttemptReport } from './controller';

export function retryStatus(report: AttemptReport, now: Date): RetryStatus | undefined {
  if (report.ok) return undefined;
  const error = report.error as { message?: unknown } | undefined;
  return {
    attempts: report.attempts,
    ...(report.retryInMs !== undefined
      ? { nextAttemptAt: new Date(now.getTime() + report.retryInMs).toISOString() }
      : {}),
    error: typeof error?.message === 'string' ? error.message : String(report.error),
  };
}
