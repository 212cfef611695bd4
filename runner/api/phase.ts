// No schemas at run time here: the CLI's fast path uses it without loading zod.
import type { Condition } from './conditions';
import type { DesiredState, EnvironmentPhase } from './environment';

/** Condition types an environment reports; `Ready` summarises the gating ones. */
export const EnvironmentConditions = {
  Scheduled: 'Scheduled',
  HostReachable: 'HostReachable',
  ConfigValid: 'ConfigValid',
  ConfigSupported: 'ConfigSupported',
  /** Everything the configuration asks for that reaches this machine is allowed by the spec. */
  HostAccessAllowed: 'HostAccessAllowed',
  /** initializeCommand may run on this machine (its source is trusted, or the user allowed this command). */
  InitializeCommandAllowed: 'InitializeCommandAllowed',
  UpToDate: 'UpToDate',
  ImageReady: 'ImageReady',
  WorkspaceReady: 'WorkspaceReady',
  ContainerRunning: 'ContainerRunning',
  LifecycleComplete: 'LifecycleComplete',
  AutomationsReady: 'AutomationsReady',
  /** The user's dotfiles (runner config `dotfiles`) went into this container. */
  DotfilesInstalled: 'DotfilesInstalled',
  /** With spec.timeouts.inactivity: True while in use; False (IdleStopped) after an idle stop. */
  Active: 'Active',
  Ready: 'Ready',
} as const;

/** Reasons of the Active condition. */
export const ActiveReasons = {
  /** Running with an inactivity timeout; status.idleStopAt says when it stops if nothing happens. */
  Active: 'Active',
  /** Stopped by the runner after spec.timeouts.inactivity without activity. */
  IdleStopped: 'IdleStopped',
} as const;

/** Reasons that mean "still working on it" rather than "failed". */
export const PROGRESS_REASONS = new Set([
  'Pending',
  'Waiting',
  'Pulling',
  'Building',
  'Cloning',
  'Creating',
  'Starting',
  'Stopping',
  'Stopped',
  'Running',
  'Recreating',
  'Connecting',
  'Unschedulable',
]);

/** The conditions that gate Ready, in order: the first False one (not merely in progress) makes it Failed. */
export const GATING_CONDITIONS: readonly string[] = [
  'ConfigValid',
  'HostAccessAllowed',
  'InitializeCommandAllowed',
  'ImageReady',
  'WorkspaceReady',
  'ContainerRunning',
  'LifecycleComplete',
];

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

/** The first gating condition that is False for a reason other than progress. */
function gatingFailure(conditions: readonly Condition[]): Condition | undefined {
  for (const t of GATING_CONDITIONS) {
    const c = findCondition(conditions, t);
    if (c?.status === 'False' && !PROGRESS_REASONS.has(c.reason)) return c;
  }
  return undefined;
}

/**
 * Why an environment is Failed: the gating condition that makes it so (see derivePhase), else any
 * other condition False for a reason other than progress.
 */
export function failingCondition(conditions: readonly Condition[]): Condition | undefined {
  return (
    gatingFailure(conditions) ??
    conditions.find((c) => c.status === 'False' && c.type !== 'Ready' && !PROGRESS_REASONS.has(c.reason))
  );
}
