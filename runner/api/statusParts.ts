// Who writes which part of an Environment's status: one writer per field and per condition, so
// writers running at the same time (the reconciler, the ports, automations and activity add-ons,
// the dotfiles installer) patch their own parts and never put back another's stale values. The
// store applies a patch only to the writer's own parts (runner/store/statusPatch.ts).
import type { Condition } from './conditions';
import type { ConditionTypeOf, StatusWriter, TypedConditionInput } from './conditionCatalogue';
import type { EnvironmentStatus } from './environment';

/**
 * The writer of each status field. `derived`: kept by the store from the conditions after every
 * patch (phase and its history, see derivePhase); `conditions`: per type, see the catalogue.
 */
export const STATUS_FIELD_WRITERS = {
  phase: 'derived',
  history: 'derived',
  conditions: 'byType',
  observedGeneration: 'reconciler',
  host: 'reconciler',
  containerId: 'reconciler',
  containerName: 'reconciler',
  image: 'reconciler',
  workspaceFolder: 'reconciler',
  remoteUser: 'reconciler',
  configFile: 'reconciler',
  configName: 'reconciler',
  startedAt: 'reconciler',
  lastError: 'reconciler',
  // The controller's work queue, after each attempt (runner.ts wires it): the reconciler's own
  // writes carry a draft read before the attempt ended and would put back a stale count.
  retry: 'retries',
  restartHandled: 'reconciler',
  hostAccess: 'reconciler',
  initializeCommand: 'reconciler',
  services: 'reconciler',
  composeProject: 'reconciler',
  features: 'reconciler',
  ports: 'ports',
  automations: 'automations',
  lastActivity: 'activity',
  idleStopAt: 'activity',
} as const satisfies Record<keyof EnvironmentStatus, StatusWriter | 'derived' | 'byType'>;

/** The status fields writer W owns. */
export type StatusFieldOf<W extends StatusWriter> = {
  [F in keyof EnvironmentStatus]-?: (typeof STATUS_FIELD_WRITERS)[F] extends W ? F : never;
}[keyof EnvironmentStatus];

/**
 * A change to writer W's part of an Environment's status. A field given as undefined is cleared;
 * a condition given as null is removed. A condition given without a time (a TypedConditionInput)
 * gets one when its status changes; one given whole (a Condition) is stored as it is.
 */
export interface StatusPatch<W extends StatusWriter> {
  fields?: { [F in StatusFieldOf<W>]?: EnvironmentStatus[F] | undefined };
  conditions?: { [T in ConditionTypeOf<W>]?: TypedConditionInput<T> | Condition | null };
}
