import { isDeepStrictEqual } from 'node:util';
import { derivePhase, type ConditionStatus, type Environment, type EnvironmentStatus } from '../../api';
import { clipText, MAX_CONDITION_MESSAGE } from '../../api/limits';
import { removeCondition, setCondition } from '../conditions';

const HISTORY = 30;

/** A status being worked on during one reconcile; phase and history follow the conditions. */
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

  set(type: string, status: ConditionStatus, reason: string, message: string): this {
    this.status.conditions = setCondition(
      this.status.conditions,
      { type, status, reason, message },
      this.generation,
      this.now(),
    );
    return this;
  }

  remove(type: string): this {
    this.status.conditions = removeCondition(this.status.conditions, type);
    return this;
  }

  /** Phase derived from conditions; a phase change is recorded in the history. */
  finish(observedGeneration = false): EnvironmentStatus {
    const phase = derivePhase({
      desired: this.env.spec.state,
      deleting: !!this.env.metadata.deletionTimestamp,
      conditions: this.status.conditions,
    });
    if (phase !== this.status.phase || this.status.history.length === 0) {
      const reason = this.status.conditions.find((c) => c.status !== 'True' && c.type !== 'Ready')?.reason;
      this.status.history = [
        ...this.status.history,
        { phase, time: this.now().toISOString(), ...(reason ? { reason } : {}) },
      ].slice(-HISTORY);
    }
    this.status.phase = phase;
    if (this.status.lastError) this.status.lastError = clipText(this.status.lastError, MAX_CONDITION_MESSAGE);
    if (observedGeneration) this.status.observedGeneration = this.generation;
    return this.status;
  }

  changedFrom(previous: EnvironmentStatus): boolean {
    return !isDeepStrictEqual(previous, this.status);
  }
}
