// What a failure notification says and offers: the human cause first (runner/presentation/
// failureSummary.ts), where in the config, the runner's retries, the raw text last; and the actions that
// fit the failure — Open Config at the error's line, Retry (Now), Show Log, Edit Config — at most three,
// the likeliest first. Pure: failureNotice.ts shows it and acts.

import { posix } from 'node:path';
import type { FailureSummary } from '../../runner/presentation/failureSummary';
import { retryPending, retryText } from '../../runner/presentation/retryText';

export type FailureAction =
  'openConfig' | 'editConfig' | 'retry' | 'retryNow' | 'showLog' | 'reviewAccess' | 'showDetails';

export const FAILURE_ACTION_LABELS: Record<FailureAction, string> = {
  openConfig: 'Open Config',
  editConfig: 'Edit Config',
  retry: 'Retry',
  retryNow: 'Retry Now',
  showLog: 'Show Log',
  reviewAccess: 'Review Access…',
  showDetails: 'Details',
};

export interface FailureNoticeFacts {
  /** Who failed, as people know it: `my-app` or `devcontainer.json`. */
  who: string;
  /** An environment exists (Show Log shows its log; else devrig's own). */
  environment: boolean;
  /** There is something the user may allow (consent). */
  consent: boolean;
  now: number;
}

export interface FailureNotice {
  message: string;
  actions: FailureAction[];
}

const MAX_RAW = 400;

export function failureNotice(f: FailureSummary, facts: FailureNoticeFacts): FailureNotice {
  const where = f.location
    ? ` in ${posix.basename(f.location.file)} at line ${f.location.line}, column ${f.location.column}`
    : '';
  const detail = f.location ? f.location.message : f.raw;
  const parts = [`devrig: ${facts.who}: ${f.headline}${where}`];
  if (f.hint) parts.push(f.hint);
  const retries = retryText(f.retry, facts.now);
  if (retries) parts.push(retries);
  let text = parts.join(' — ');
  if (detail && detail !== f.headline)
    text += `. ${detail.length > MAX_RAW ? `${detail.slice(0, MAX_RAW - 1)}…` : detail}`;
  return { message: text, actions: actionsFor(f, facts) };
}

function actionsFor(f: FailureSummary, facts: FailureNoticeFacts): FailureAction[] {
  const retry: FailureAction = retryPending(f.retry, facts.now) ? 'retryNow' : 'retry';
  const edit: FailureAction[] = f.configFile ? ['editConfig'] : facts.environment ? ['showDetails'] : [];
  switch (f.kind) {
    case 'config':
      return [
        ...(f.location ? ['openConfig' as const] : f.configFile ? ['editConfig' as const] : []),
        'retry',
        'showLog',
      ];
    case 'consent':
      return facts.consent ? ['reviewAccess', 'showLog', 'showDetails'] : ['showLog', 'showDetails'];
    case 'image':
    case 'lifecycle':
      return [retry, 'showLog', ...edit];
    default:
      return [
        retry,
        'showLog',
        ...(facts.environment ? (['showDetails'] as const) : f.configFile ? (['editConfig'] as const) : []),
      ];
  }
}
