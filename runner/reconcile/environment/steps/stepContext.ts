import type { Environment } from '../../../api';
import type { EnvLogs } from '../../../logs/envLogs';
import type { LogSink } from '../../../providers/provider';
import type { EnvironmentHooks } from '../hooks';
import type { StatusDraft } from '../statusDraft';

/** What every step of one reconcile works with. */
export interface StepContext {
  /** The Environment as read when the reconcile began. */
  readonly env: Environment;
  /** The status being worked on: each step reports through its own condition(s) here. */
  readonly draft: StatusDraft;
  /** The environment's log (what `devrig logs` shows). */
  readonly log: LogSink;
  /** Aborted when the spec changes or the environment is deleted under the reconcile. */
  readonly signal: AbortSignal;
  /** Writes the status now so a long step shows its progress; the step does not wait for it. */
  progress(): void;
}

/** What steps share across reconciles (set once by the runner). */
export interface StepDeps {
  logs: EnvLogs;
  /** Labels what this runner creates: runners sharing an engine never touch each other's things. */
  runnerId: string;
  /** Where git sources are cloned. */
  sourcesDir: string;
  hooks: EnvironmentHooks;
  stopTimeoutSeconds: number;
}
