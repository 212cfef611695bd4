// Why an environment (or a request for one) failed, for people: a one-line headline first (the human
// cause of a raw engine error, else the reason in words), then the raw message kept whole, where in
// the configuration it is, and the runner's retries. The extension's notifications, the tree, the
// details page and the CLI all say it this way. Pure, and free of Node APIs.

import { failingCondition, type Environment, type RetryStatus } from '../api';
import { configFileOf, configLocation, type ConfigLocation } from './configLocation';
import { humanCause, type HumanCause } from './engineErrors';
import { humanizeReason } from './reasonText';

export type FailureKind = 'config' | 'consent' | 'image' | 'lifecycle' | 'engine' | 'other';

export interface FailureSummary {
  kind: FailureKind;
  /** The condition reason (`PullFailed`), or what the caller named it. */
  reason: string;
  /** One line: `Image not found`, `Config invalid`. */
  headline: string;
  /** What usually fixes it, when known. */
  hint?: string;
  /** The message as the runner or engine gave it. */
  raw: string;
  /** Where in the configuration, when the message says. */
  location?: ConfigLocation;
  /** The configuration file involved, when known. */
  configFile?: string;
  retry?: RetryStatus;
}

const KINDS: Record<string, FailureKind> = {
  ConfigInvalid: 'config',
  ConfigNotFound: 'config',
  UnsupportedProperties: 'config',
  SourceNotFound: 'config',
  ConsentRequired: 'consent',
  Forbidden: 'consent',
  PullFailed: 'image',
  BuildFailed: 'image',
  EngineUnreachable: 'engine',
  HostUnreachable: 'engine',
};

function kindOf(reason: string, cause: HumanCause | undefined): FailureKind {
  if (KINDS[reason]) return KINDS[reason];
  if (/CommandFailed$/.test(reason)) return 'lifecycle';
  if (cause?.kind === 'engineUnreachable') return 'engine';
  return 'other';
}

/** A failure from a reason and a message (a refused request: no environment to read). */
export function summarizeFailure(
  reason: string,
  message: string,
  extra: { configFile?: string; retry?: RetryStatus } = {},
): FailureSummary {
  const location = configLocation(message);
  const cause = humanCause(message);
  const kind = kindOf(reason, cause);
  // A config error's own words are already human (`"image" must be a string`): the cause is only for
  // what the engine said.
  const headline = kind === 'config' || !cause ? humanizeReason(reason) : cause.cause;
  return {
    kind,
    reason,
    headline: headline.charAt(0).toUpperCase() + headline.slice(1),
    ...(cause && kind !== 'config' ? { hint: cause.hint } : {}),
    raw: message,
    ...(location ? { location } : {}),
    ...((location?.file ?? configFileOf(message) ?? extra.configFile)
      ? { configFile: location?.file ?? configFileOf(message) ?? extra.configFile }
      : {}),
    ...(extra.retry ? { retry: extra.retry } : {}),
  };
}

/**
 * Why `env` is failing (Failed, or its last attempt failed and the runner retries): its failing
 * condition, else its last error; undefined when it is not failing.
 */
export function failureSummary(env: Environment): FailureSummary | undefined {
  const s = env.status;
  if (s.phase !== 'Failed' && !s.retry) return undefined;
  const c = failingCondition(s.conditions);
  const message = c?.message || s.retry?.error || s.lastError || '';
  return summarizeFailure(c?.reason ?? 'Failed', message ?? '', {
    configFile: s.configFile,
    retry: s.retry,
  });
}
