// The one rule for an environment's phase and for whether a change reached its goal: derived only
// from the conditions (classified by the catalogue) and the desired state, so no view can disagree
// with another. No schemas at run time here: the CLI's fast path uses it without loading zod.
import type { Condition } from './conditions';
import { GATING_CONDITIONS, reasonKind } from './conditionCatalogue';
import type { DesiredState, EnvironmentPhase } from './environment';

/** The parts of an Environment the rule reads (a whole Environment will do). */
export interface EnvironmentView {
  metadata: { generation: number; deletionTimestamp?: string };
  spec: { state: DesiredState };
  status: {
    phase: EnvironmentPhase;
    observedGeneration: number;
    conditions: readonly Condition[];
    containerId?: string;
  };
}

/**
 * The one-word summary people see, derived only from conditions and the desired state,
 * so it can never disagree with them.
 */
export function derivePhase(input: {
  desired: DesiredState;
  deleting: boolean;
  conditions: readonly Condition[];
}): EnvironmentPhase {
  const { desired, deleting, conditions } = input;
  if (deleting) return 'Deleting';
  const c = (t: string) => findCondition(conditions, t);
  if (c('HostReachable')?.status === 'False') return 'Unreachable';
  if (c('Scheduled')?.status === 'False') return 'Pending';
  if (gatingFailure(conditions)) return 'Failed';
  const running = c('ContainerRunning')?.status === 'True';
  if (desired === 'Stopped') return running ? 'Stopping' : 'Stopped';
  if (c('Ready')?.status === 'True') return 'Running';
  const image = c('ImageReady');
  if (!image || image.status !== 'True') return image ? 'Building' : 'Pending';
  return 'Starting';
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** A condition that is False because something failed (not on its way, not resting). */
export function isFailure(c: Condition): boolean {
  return c.status === 'False' && reasonKind(c) === 'failure';
}

/** The first gating condition that failed. */
function gatingFailure(conditions: readonly Condition[]): Condition | undefined {
  for (const t of GATING_CONDITIONS) {
    const c = findCondition(conditions, t);
    if (c && isFailure(c)) return c;
  }
  return undefined;
}

/**
 * Why an environment is Failed: the gating condition that makes it so (see derivePhase), else any
 * other condition that failed.
 */
export function failingCondition(conditions: readonly Condition[]): Condition | undefined {
  return gatingFailure(conditions) ?? conditions.find((c) => c.type !== 'Ready' && isFailure(c));
}

export type EnvironmentOutcome =
  | { state: 'progress' }
  | { state: 'done' }
  | { state: 'failed'; reason: string; message: string; condition?: Condition };

/**
 * Where a change to an environment stands: it reached `want` for `generation` (the runner has
 * observed that generation and the phase is `want`), failed for that generation (Failed, and
 * either the runner observed the generation or the failing condition was set for it: never a
 * leftover failure from before), or is still on its way. Runner, CLI, extension and webview ask
 * this one function.
 */
export function environmentOutcome(
  env: EnvironmentView,
  want: 'Running' | 'Stopped' = env.spec.state,
  generation: number = env.metadata.generation,
): EnvironmentOutcome {
  const s = env.status;
  const observed = s.observedGeneration >= generation;
  if (s.phase === 'Failed') {
    const c = failingCondition(s.conditions);
    if (c && c.observedGeneration >= generation)
      return { state: 'failed', reason: c.reason, message: c.message, condition: c };
    if (observed)
      return { state: 'failed', reason: c?.reason ?? 'Failed', message: c?.message ?? '', condition: c };
  }
  if (observed && s.phase === want) return { state: 'done' };
  return { state: 'progress' };
}
