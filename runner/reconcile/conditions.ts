import type { Condition, ConditionStatus } from '../api';
import { clipText, MAX_CONDITION_MESSAGE } from '../api/limits';

export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
}

/**
 * Sets a condition, keeping lastTransitionTime when the status did not change
 * (a reason or message update is not a transition).
 */
export function setCondition(
  conditions: readonly Condition[],
  input: ConditionInput,
  generation: number,
  now: Date,
): Condition[] {
  const existing = conditions.find((c) => c.type === input.type);
  const next: Condition = {
    ...input,
    // Messages can carry input (a config's warnings, a command's output): they are stored and sent
    // with every status, so they are bounded.
    message: clipText(input.message, MAX_CONDITION_MESSAGE),
    observedGeneration: generation,
    lastTransitionTime:
      existing && existing.status === input.status ? existing.lastTransitionTime : now.toISOString(),
  };
  const out = conditions.filter((c) => c.type !== input.type);
  out.push(next);
  return out.sort((a, b) => ORDER.indexOf(a.type) - ORDER.indexOf(b.type) || a.type.localeCompare(b.type));
}

export function removeCondition(conditions: readonly Condition[], type: string): Condition[] {
  return conditions.filter((c) => c.type !== type);
}

const ORDER = [
  'Ready',
  'Scheduled',
  'HostReachable',
  'ConfigValid',
  'ConfigSupported',
  'ImageReady',
  'WorkspaceReady',
  'ContainerRunning',
  'LifecycleComplete',
  'AutomationsReady',
  'DotfilesInstalled',
  'Active',
];
