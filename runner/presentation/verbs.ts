// What can be done to an environment, or to one of its automations, in each state: the one table that the
// tree's menus (package.json `when` clauses over the contextValues built here), the status bar's actions,
// the commands' pickers and the details panel's buttons all follow. A unit test checks package.json
// against it for every phase. Pure, and free of Node APIs (the webview imports it too).

import {
  EnvironmentPhase as EnvironmentPhaseSchema,
  type AutomationPhase,
  type AutomationStatus,
  type Environment,
  type EnvironmentPhase,
} from '../api';

export type EnvironmentVerb =
  | 'start'
  /** Try again now what failed (a new generation: the runner retries at once, hooks run again). */
  | 'retry'
  | 'stop'
  | 'restart'
  | 'rebuild'
  | 'delete'
  /** Open in Remote-SSH (this or a new window); a stopped environment is offered a start first. */
  | 'open'
  | 'openTerminal'
  | 'copySshCommand'
  | 'showLogs'
  | 'showDetails'
  | 'keepRunning';

/** What the verbs depend on, and exactly what the tree's contextValue encodes (menus see nothing else). */
export interface VerbFacts {
  phase: EnvironmentPhase;
  /** An idle stop is scheduled (status.idleStopAt): Keep Running has something to postpone. */
  idleStop: boolean;
}

const EVERY_PHASE: readonly EnvironmentPhase[] = EnvironmentPhaseSchema.options;
/** Once deletion started nothing can be changed any more, only watched. */
const NOT_DELETING = EVERY_PHASE.filter((p) => p !== 'Deleting');

const VERB_PHASES: Record<EnvironmentVerb, readonly EnvironmentPhase[]> = {
  start: ['Stopped'],
  // A failed environment is offered Retry, not Start: it is meant to run already.
  retry: ['Failed'],
  // On its way up (or failed on the way): stopping it is the way out. Not while the host is unreachable.
  stop: ['Pending', 'Building', 'Starting', 'Running', 'Failed'],
  restart: ['Running', 'Failed'],
  rebuild: NOT_DELETING,
  delete: NOT_DELETING,
  open: ['Running', 'Stopped'],
  openTerminal: ['Running', 'Stopped'],
  copySshCommand: NOT_DELETING,
  showLogs: EVERY_PHASE,
  showDetails: EVERY_PHASE,
  keepRunning: ['Running'],
};

export const ENVIRONMENT_VERBS = Object.keys(VERB_PHASES) as EnvironmentVerb[];

export function verbFacts(env: Environment): VerbFacts {
  return { phase: env.status.phase, idleStop: env.status.idleStopAt !== undefined };
}

export function canDo(env: Environment | VerbFacts, verb: EnvironmentVerb): boolean {
  const f = 'status' in env ? verbFacts(env) : env;
  if (verb === 'keepRunning' && !f.idleStop) return false;
  return VERB_PHASES[verb].includes(f.phase);
}

/** The verbs available for `env`, in the order of ENVIRONMENT_VERBS. */
export function availableVerbs(env: Environment | VerbFacts): EnvironmentVerb[] {
  return ENVIRONMENT_VERBS.filter((v) => canDo(env, v));
}

/**
 * `environment.<phase>` then `.idleStop` when an idle stop is scheduled. Menus match the phase with
 * `viewItem =~ /^environment\.(running|stopped)(\.|$)/`, so tags after it do not break them.
 */
export function environmentContextValue(env: Environment | VerbFacts): string {
  const f = 'status' in env ? verbFacts(env) : env;
  return `environment.${f.phase.toLowerCase()}${f.idleStop ? '.idleStop' : ''}`;
}

export type AutomationVerb = 'run' | 'stop';
type AutomationKind = AutomationStatus['kind'];

/**
 * The phases each kind of automation reports (runner/automations): a task is Pending until it first runs,
 * then Running, Succeeded or Failed; a service is Stopped until started, and Failed while it waits to be
 * restarted after a crash. Other combinations never occur.
 */
const AUTOMATION_VERBS: Record<AutomationKind, Partial<Record<AutomationPhase, AutomationVerb[]>>> = {
  task: { Pending: ['run'], Running: ['stop'], Succeeded: ['run'], Failed: ['run'] },
  // A failed service is crash-looping (restart backoff): stopping it ends that; starting it does nothing new.
  service: {
    Stopped: ['run'],
    Starting: ['stop'],
    Running: ['stop'],
    Ready: ['stop'],
    Stopping: [],
    Failed: ['stop'],
  },
};

export function automationPhases(kind: AutomationKind): AutomationPhase[] {
  return Object.keys(AUTOMATION_VERBS[kind]) as AutomationPhase[];
}

export function automationVerbs(a: Pick<AutomationStatus, 'kind' | 'phase'>): AutomationVerb[] {
  return AUTOMATION_VERBS[a.kind][a.phase] ?? [];
}

/** `automation.<kind>.<phase>`, e.g. `automation.service.ready`. */
export function automationContextValue(a: Pick<AutomationStatus, 'kind' | 'phase'>): string {
  return `automation.${a.kind}.${a.phase.toLowerCase()}`;
}
