// What an environment waits for the user to allow, read from its status, and the spec that allows it.
// Pure; the CLI's prompt and the extension's modal both build on it.

import { missingAllowances, type Allowance } from '../api/allowances';
import type { HostAccessItem, InitializeCommandStatus } from '../api/consent';
import type { Environment, EnvironmentSpec, EnvironmentSpecInput } from '../api/environment';
import { failingCondition } from '../api/phase';

export type ConsentRequest = {
  /** Refused host access that an allowance lets through. */
  items: HostAccessItem[];
  /** Refused host access that nothing allows (devrig's state folder): the config must change. */
  forbidden: HostAccessItem[];
  /** What spec.allow needs besides what it has. */
  allowances: Allowance[];
  /** An initializeCommand that needs consent to this exact command. */
  initialize?: InitializeCommandStatus;
};

const CONSENT_CONDITIONS = new Set(['HostAccessAllowed', 'InitializeCommandAllowed']);

/** The environment failed because it waits for consent (or for a config that asks for less). */
export function waitsForConsent(env: Environment): boolean {
  const c = failingCondition(env.status.conditions);
  return env.status.phase === 'Failed' && !!c && CONSENT_CONDITIONS.has(c.type);
}

/**
 * Everything the environment asks the user to allow, host access and initializeCommand together (so one
 * question covers both), or undefined when it asks nothing.
 */
export function consentRequest(env: Environment): ConsentRequest | undefined {
  const refused = env.status.hostAccess?.refused ?? [];
  const items = refused.filter((i) => i.allowance !== undefined);
  const forbidden = refused.filter((i) => i.allowance === undefined);
  const initialize =
    env.status.initializeCommand?.allowed === false ? env.status.initializeCommand : undefined;
  if (items.length === 0 && forbidden.length === 0 && !initialize) return undefined;
  return { items, forbidden, allowances: missingAllowances(items), ...(initialize ? { initialize } : {}) };
}

/** The spec with what `request` asks for allowed: spec.allow widened, the initializeCommand's hash recorded. */
export function specAllowing(
  spec: EnvironmentSpec,
  grant: { allowances?: readonly Allowance[]; initializeHash?: string },
): EnvironmentSpecInput {
  const allow = [...new Set([...(spec.allow ?? []), ...(grant.allowances ?? [])])];
  return {
    ...spec,
    ...(allow.length ? { allow } : {}),
    ...(grant.initializeHash ? { allowInitializeCommand: grant.initializeHash } : {}),
  };
}
