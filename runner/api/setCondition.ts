import { CONDITION_ORDER } from './conditionCatalogue';
import type { Condition, ConditionStatus } from './conditions';
import { clipText, MAX_CONDITION_MESSAGE } from './limits';

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
  return putCondition(conditions, {
    ...input,
    // Messages can carry input (a config's warnings, a command's output): they are stored and sent
    // with every status, so they are bounded.
    message: clipText(input.message, MAX_CONDITION_MESSAGE),
    observedGeneration: generation,
    lastTransitionTime:
      existing && existing.status === input.status ? existing.lastTransitionTime : now.toISOString(),
  });
}

/** Puts `condition` as it is in place of any of its type, in display order. */
export function putCondition(conditions: readonly Condition[], condition: Condition): Condition[] {
  const out = conditions.filter((c) => c.type !== condition.type);
  out.push(condition);
  return out.sort(
    (a, b) =>
      CONDITION_ORDER.indexOf(a.type) - CONDITION_ORDER.indexOf(b.type) || a.type.localeCompare(b.type),
  );
}

export function removeCondition(conditions: readonly Condition[], type: string): Condition[] {
  return conditions.filter((c) => c.type !== type);
}
