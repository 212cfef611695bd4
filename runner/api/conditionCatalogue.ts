// The condition catalogue: every condition an Environment reports, who writes it, and what each of
// its reasons means (still on the way, reached, or failed). Data, read by the one phase and outcome
// rule (phase.ts) and by every view; writers are type-checked against it, so a reason cannot be
// written that the catalogue does not classify. No schemas at run time here: the CLI's fast path
// uses it without loading zod.

/** What a reason says about its condition: on its way, where it should be, or stuck. */
export type ReasonKind = 'progress' | 'success' | 'failure';

/**
 * Who writes a part of an Environment's status. Each condition and status field has exactly one
 * writer; the store refuses a patch from one writer that touches another's part.
 */
export type StatusWriter = 'reconciler' | 'ports' | 'automations' | 'activity' | 'dotfiles' | 'retries';

interface ConditionDef {
  writer: StatusWriter;
  /** A False with a failure reason makes the environment Failed (see derivePhase). */
  gating: boolean;
  reasons: Readonly<Record<string, ReasonKind>>;
}

/** The lifecycle commands that run in the container: each has its own failure reason. */
type ContainerHook = 'OnCreateCommand' | 'UpdateContentCommand' | 'PostCreateCommand' | 'PostStartCommand';

const hookFailures = {
  InitializeCommandFailed: 'failure',
  OnCreateCommandFailed: 'failure',
  UpdateContentCommandFailed: 'failure',
  PostCreateCommandFailed: 'failure',
  PostStartCommandFailed: 'failure',
} as const satisfies Record<`${ContainerHook | 'InitializeCommand'}Failed`, ReasonKind>;

const sourceFailures = { SourceNotFound: 'failure', CloneFailed: 'failure' } as const;
const configFailures = { ConfigNotFound: 'failure', ConfigInvalid: 'failure' } as const;
const imageFailures = { BuildFailed: 'failure', PullFailed: 'failure' } as const;
const consentFailures = { ConsentRequired: 'failure', Forbidden: 'failure' } as const;
/** Features that cannot be installed: bad references or options, a frozen lockfile, a failed install.sh. */
const featureFailures = {
  FeaturesInvalid: 'failure',
  LockfileMismatch: 'failure',
  FeatureFetchFailed: 'failure',
  FeatureInstallFailed: 'failure',
  FeaturesNeedEngine: 'failure',
} as const;
const placementWaits = { Unschedulable: 'progress', HostUnreachable: 'failure' } as const;
/** Why a Docker Compose environment's services cannot be run. */
const composeFailures = {
  /** Neither `docker compose` nor a `docker-compose` v2 was found. */
  ComposeNotFound: 'failure',
  /** Only Compose v1 was found. */
  ComposeUnsupported: 'failure',
  /** A plain host (no container engine) cannot run Compose. */
  EngineRequired: 'failure',
  /** The Compose project has containers devrig did not create: it will not touch them. */
  ProjectInUse: 'failure',
  /** A Compose command failed (its last words in the message). */
  ComposeFailed: 'failure',
} as const;

/** Every Environment condition type, in the order an environment comes up (Ready, the summary, first). */
export const ENVIRONMENT_CONDITIONS = {
  /** The summary: True once everything needed to code is in place; else the step it waits on. */
  Ready: {
    writer: 'reconciler',
    gating: false,
    reasons: {
      Ready: 'success',
      Pending: 'progress',
      Building: 'progress',
      Creating: 'progress',
      Starting: 'progress',
      Running: 'progress',
      Stopping: 'progress',
      Stopped: 'success',
      Deleting: 'progress',
      EngineUnreachable: 'failure',
      ...placementWaits,
      ...sourceFailures,
      ...configFailures,
      ...imageFailures,
      ...featureFailures,
      ...hookFailures,
      ...consentFailures,
      ...composeFailures,
    },
  },
  /** Placed on a host (the scheduler's decision). */
  Scheduled: {
    writer: 'reconciler',
    gating: false,
    reasons: { Scheduled: 'success', Unschedulable: 'progress' },
  },
  /** The host's engine answers. */
  HostReachable: {
    writer: 'reconciler',
    gating: false,
    reasons: { Reachable: 'success', EngineUnreachable: 'failure', HostUnreachable: 'failure' },
  },
  ConfigValid: {
    writer: 'reconciler',
    gating: true,
    reasons: { Valid: 'success', ...sourceFailures, ...configFailures },
  },
  /** Every property in use is supported (else which are not, and why). */
  ConfigSupported: {
    writer: 'reconciler',
    gating: false,
    reasons: { Supported: 'success', UnsupportedProperties: 'failure' },
  },
  /** Everything the configuration asks for that reaches this machine is allowed by the spec (runner/policy). */
  HostAccessAllowed: {
    writer: 'reconciler',
    gating: true,
    reasons: { NothingRequested: 'success', Allowed: 'success', ...consentFailures },
  },
  /** initializeCommand may run on this machine: its source is trusted, or the user allowed this exact command. */
  InitializeCommandAllowed: {
    writer: 'reconciler',
    gating: true,
    reasons: { Allowed: 'success', ConsentRequired: 'failure' },
  },
  /** The container matches the configuration on disk (else a rebuild applies it). */
  UpToDate: {
    writer: 'reconciler',
    gating: false,
    reasons: { InSync: 'success', ConfigChanged: 'failure' },
  },
  ImageReady: {
    writer: 'reconciler',
    gating: true,
    reasons: {
      Present: 'success',
      Pulled: 'success',
      Built: 'success',
      Pulling: 'progress',
      Building: 'progress',
      // The pull or build was aborted because the spec changed (Cancel → Stopped): not a failure.
      Aborted: 'progress',
      ...imageFailures,
    },
  },
  /**
   * Present when the configuration uses Features: resolved (lockfile), then installed as layers of the
   * environment's image; the message names the Feature being installed.
   */
  FeaturesReady: {
    writer: 'reconciler',
    gating: true,
    reasons: { Resolving: 'progress', Installing: 'progress', Installed: 'success', ...featureFailures },
  },
  WorkspaceReady: {
    writer: 'reconciler',
    gating: true,
    reasons: { BindMounted: 'success', Volume: 'success' },
  },
  ContainerRunning: {
    writer: 'reconciler',
    gating: true,
    reasons: {
      Running: 'success',
      Stopped: 'success',
      Creating: 'progress',
      Starting: 'progress',
      Stopping: 'progress',
      Exited: 'failure',
      ...composeFailures,
    },
  },
  LifecycleComplete: {
    writer: 'reconciler',
    gating: true,
    reasons: { Completed: 'success', Waiting: 'progress', Running: 'progress', ...hookFailures },
  },
  /**
   * The lifecycle commands after waitFor (postCreate and postStart by default), which run once the
   * environment is Ready: on their way, done, or failed — a failure shows here without taking Ready away.
   */
  BackgroundCommandsComplete: {
    writer: 'reconciler',
    gating: false,
    reasons: { Completed: 'success', Running: 'progress', ...hookFailures },
  },
  AutomationsReady: {
    writer: 'automations',
    gating: false,
    reasons: {
      Ready: 'success',
      Stopped: 'success',
      Starting: 'progress',
      AutomationsInvalid: 'failure',
      ServiceFailing: 'failure',
      TaskFailed: 'failure',
    },
  },
  /** The user's dotfiles (runner config `dotfiles`) went into this container. */
  DotfilesInstalled: {
    writer: 'dotfiles',
    gating: false,
    reasons: { Installed: 'success', Installing: 'progress', InstallFailed: 'failure' },
  },
  /**
   * With spec.timeouts.inactivity: True while in use (status.idleStopAt says when it stops if
   * nothing happens); False after the runner stopped it for being idle.
   */
  Active: {
    writer: 'activity',
    gating: false,
    reasons: { Active: 'success', IdleStopped: 'failure' },
  },
} as const satisfies Record<string, ConditionDef>;

export type EnvironmentConditionType = keyof typeof ENVIRONMENT_CONDITIONS;

/** The reasons a condition of type T may carry. */
export type ReasonOf<T extends EnvironmentConditionType> =
  keyof (typeof ENVIRONMENT_CONDITIONS)[T]['reasons'] & string;

/** The condition types `writer` writes. */
export type ConditionTypeOf<W extends StatusWriter> = {
  [T in EnvironmentConditionType]: (typeof ENVIRONMENT_CONDITIONS)[T]['writer'] extends W ? T : never;
}[EnvironmentConditionType];

/** A condition as its writer states it (time and generation are added when it is set). */
export type TypedConditionInput<T extends EnvironmentConditionType = EnvironmentConditionType> = {
  [K in T]: {
    type: K;
    status: 'True' | 'False' | 'Unknown';
    reason: ReasonOf<K>;
    message: string;
  };
}[T];

/** `{ Ready: 'Ready', ... }`: the condition types by name. */
export const EnvironmentConditions = Object.fromEntries(
  Object.keys(ENVIRONMENT_CONDITIONS).map((t) => [t, t]),
) as { readonly [T in EnvironmentConditionType]: T };

/** Condition types in display order (Ready first, then as an environment comes up). */
export const CONDITION_ORDER: readonly string[] = Object.keys(ENVIRONMENT_CONDITIONS);

/** The conditions that gate Ready, in order: the first False one that failed makes it Failed. */
export const GATING_CONDITIONS: readonly EnvironmentConditionType[] = (
  Object.keys(ENVIRONMENT_CONDITIONS) as EnvironmentConditionType[]
).filter((t) => ENVIRONMENT_CONDITIONS[t].gating);

/** Which writer owns condition `type` (undefined for a type not in the catalogue). */
export function conditionWriter(type: string): StatusWriter | undefined {
  return (ENVIRONMENT_CONDITIONS as Record<string, ConditionDef>)[type]?.writer;
}

/** Each reason's meaning in whichever condition first lists it: a reason means the same everywhere. */
const ANY_CONDITION: Readonly<Record<string, ReasonKind>> = Object.assign(
  {},
  ...Object.values(ENVIRONMENT_CONDITIONS)
    .map((d) => d.reasons)
    .reverse(),
);

/**
 * What a condition's reason means: as the catalogue lists it for that type, else as any other
 * condition uses it (Ready mirrors the step it waits on). A reason nothing lists (written by
 * another version) counts as reached when True, else as a failure: never as progress that would
 * hang a wait.
 */
export function reasonKind(c: { type: string; status: string; reason: string }): ReasonKind {
  const known =
    (ENVIRONMENT_CONDITIONS as Record<string, ConditionDef>)[c.type]?.reasons[c.reason] ??
    ANY_CONDITION[c.reason];
  if (known) return known;
  return c.status === 'True' ? 'success' : 'failure';
}
