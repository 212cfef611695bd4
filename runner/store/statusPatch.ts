// Applying one writer's patch to an Environment's status (pure): only that writer's fields and
// conditions change, then the phase and its history are derived again from the conditions, so the
// summary never disagrees with them whoever wrote last, and secret values are scrubbed from the
// text, once for every writer.
import {
  conditionWriter,
  derivePhase,
  putCondition,
  removeCondition,
  setCondition,
  STATUS_FIELD_WRITERS,
  type Condition,
  type Environment,
  type EnvironmentStatus,
  type StatusPatch,
  type StatusWriter,
} from '../api';

/** Phase transitions kept in status.history. */
const HISTORY = 30;

/** `env`'s status with `writer`'s patch applied (a new object). Throws when the patch is not all `writer`'s. */
export function applyStatusPatch<W extends StatusWriter>(
  env: Environment,
  writer: W,
  patch: StatusPatch<W>,
  now: Date,
  redact: (text: string) => string = (text) => text,
): EnvironmentStatus {
  const status = structuredClone(env.status) as EnvironmentStatus;
  const fields = status as Record<string, unknown>;
  for (const [field, value] of Object.entries(patch.fields ?? {})) {
    if ((STATUS_FIELD_WRITERS as Record<string, string>)[field] !== writer) {
      throw new Error(`status.${field} is not written by ${writer}`);
    }
    if (value === undefined) delete fields[field];
    else fields[field] = structuredClone(value);
  }
  for (const [type, c] of Object.entries(patch.conditions ?? {}) as [string, unknown][]) {
    if (conditionWriter(type) !== writer) throw new Error(`condition ${type} is not written by ${writer}`);
    if (c === undefined) continue;
    if (c === null) status.conditions = removeCondition(status.conditions, type);
    else if ((c as Condition).lastTransitionTime !== undefined)
      status.conditions = putCondition(status.conditions, structuredClone(c as Condition));
    else
      status.conditions = setCondition(
        status.conditions,
        c as Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>,
        env.metadata.generation,
        now,
      );
  }
  summarize(env, status, now);
  scrub(status, redact);
  return status;
}

/** Secret values out of every message, error and automation log tail. */
function scrub(status: EnvironmentStatus, redact: (text: string) => string): void {
  status.conditions = status.conditions.map((c) => {
    const message = redact(c.message);
    return message === c.message ? c : { ...c, message };
  });
  if (status.lastError) status.lastError = redact(status.lastError);
  for (const a of status.automations) {
    a.message = redact(a.message);
    if (a.logTail) a.logTail = redact(a.logTail);
  }
}

/** Phase from the conditions (the one rule, derivePhase); a change of phase goes into the history. */
function summarize(env: Environment, status: EnvironmentStatus, now: Date): void {
  const phase = derivePhase({
    desired: env.spec.state,
    deleting: !!env.metadata.deletionTimestamp,
    conditions: status.conditions,
  });
  if (phase !== status.phase || status.history.length === 0) {
    const reason = status.conditions.find((c) => c.status !== 'True' && c.type !== 'Ready')?.reason;
    status.history = [
      ...status.history,
      { phase, time: now.toISOString(), ...(reason ? { reason } : {}) },
    ].slice(-HISTORY);
  }
  status.phase = phase;
}
