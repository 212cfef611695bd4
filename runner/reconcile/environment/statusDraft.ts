import {
  ENVIRONMENT_CONDITIONS,
  STATUS_FIELD_WRITERS,
  setCondition,
  type Condition,
  type ConditionStatus,
  type ConditionTypeOf,
  type Environment,
  type EnvironmentStatus,
  type ReasonOf,
  type StatusFieldOf,
  type StatusPatch,
  type TypedConditionInput,
} from '../../api';
import { clipText, MAX_CONDITION_MESSAGE } from '../../api/limits';

/** The condition types the reconciler writes. */
export type ReconcilerCondition = ConditionTypeOf<'reconciler'>;

const FIELDS = (Object.keys(STATUS_FIELD_WRITERS) as (keyof typeof STATUS_FIELD_WRITERS)[]).filter(
  (f) => STATUS_FIELD_WRITERS[f] === 'reconciler',
) as StatusFieldOf<'reconciler'>[];

const CONDITIONS = new Set(
  (Object.keys(ENVIRONMENT_CONDITIONS) as (keyof typeof ENVIRONMENT_CONDITIONS)[]).filter(
    (t) => ENVIRONMENT_CONDITIONS[t].writer === 'reconciler',
  ),
) as ReadonlySet<string>;

/**
 * The status as one reconcile sees and changes it. Steps set the reconciler's conditions (each
 * reason checked against the catalogue) and fields; `patch` is the reconciler's part of it for the
 * store, which leaves the other writers' parts alone and derives the phase.
 */
export class StatusDraft {
  status: EnvironmentStatus;
  /** Work that may finish after the status is written (it must finish before the reconcile ends). */
  readonly deferred: Promise<unknown>[] = [];

  constructor(
    private readonly env: Environment,
    private readonly now: () => Date,
  ) {
    this.status = structuredClone(env.status);
  }

  get generation(): number {
    return this.env.metadata.generation;
  }

  set<T extends ReconcilerCondition>(
    type: T,
    status: ConditionStatus,
    reason: ReasonOf<T>,
    message: string,
  ): this {
    this.status.conditions = setCondition(
      this.status.conditions,
      { type, status, reason, message },
      this.generation,
      this.now(),
    );
    return this;
  }

  /** Sets a condition stated elsewhere (the scheduler's placement). */
  put(c: TypedConditionInput<ReconcilerCondition>): this {
    this.status.conditions = setCondition(this.status.conditions, c, this.generation, this.now());
    return this;
  }

  /** Removes a condition that no longer applies (nothing asks for it any more). */
  remove(type: ReconcilerCondition): this {
    this.status.conditions = this.status.conditions.filter((c) => c.type !== type);
    return this;
  }

  condition(type: ReconcilerCondition): Condition | undefined {
    return this.status.conditions.find((c) => c.type === type);
  }

  isTrue(type: ReconcilerCondition): boolean {
    return this.condition(type)?.status === 'True';
  }

  /** The reconciler's part of the status; `observed`: this generation has been acted on. */
  patch(observed: boolean): StatusPatch<'reconciler'> {
    if (observed) this.status.observedGeneration = this.generation;
    if (this.status.lastError) this.status.lastError = clipText(this.status.lastError, MAX_CONDITION_MESSAGE);
    const fields: Record<string, unknown> = {};
    for (const f of FIELDS) fields[f] = structuredClone(this.status[f]);
    const conditions: Record<string, Condition | null> = {};
    for (const t of CONDITIONS) conditions[t] = null;
    for (const c of this.status.conditions) if (CONDITIONS.has(c.type)) conditions[c.type] = c;
    return { fields, conditions };
  }
}
