// Which codicon and colour stand for a phase. Pure.

import type { AutomationPhase, EnvironmentPhase, HostStatus, ServiceStatus } from '../api';

export interface IconSpec {
  /** A codicon id, `~spin` for the spinning modifier. */
  id: string;
  /** A theme colour id. */
  color?: string;
}

export const ENVIRONMENT_ICONS: Record<EnvironmentPhase, IconSpec> = {
  Pending: { id: 'clock' },
  Building: { id: 'sync~spin' },
  Starting: { id: 'sync~spin' },
  Running: { id: 'vm-running', color: 'charts.green' },
  Stopping: { id: 'sync~spin' },
  Stopped: { id: 'debug-stop' },
  Failed: { id: 'error', color: 'errorForeground' },
  Deleting: { id: 'sync~spin' },
  Unreachable: { id: 'debug-disconnect', color: 'list.warningForeground' },
};

export type HostPhase = HostStatus['phase'];

export const HOST_ICONS: Record<HostPhase | 'Local', IconSpec> = {
  Local: { id: 'vm' },
  Pending: { id: 'sync~spin' },
  Ready: { id: 'remote', color: 'charts.green' },
  Unreachable: { id: 'debug-disconnect', color: 'list.warningForeground' },
  Failed: { id: 'error', color: 'errorForeground' },
};

export const AUTOMATION_ICONS: Record<AutomationPhase, IconSpec> = {
  Pending: { id: 'clock' },
  Starting: { id: 'sync~spin' },
  Running: { id: 'play-circle' },
  Ready: { id: 'pass', color: 'charts.green' },
  Stopping: { id: 'sync~spin' },
  Stopped: { id: 'circle-outline' },
  Succeeded: { id: 'pass', color: 'charts.green' },
  Failed: { id: 'error', color: 'errorForeground' },
};

/** A Docker Compose service's container state (as the engine reports it, or missing). */
export const SERVICE_ICONS: Record<ServiceStatus['state'], IconSpec> = {
  running: { id: 'vm-running', color: 'charts.green' },
  created: { id: 'circle-outline' },
  paused: { id: 'debug-pause' },
  restarting: { id: 'sync~spin' },
  removing: { id: 'sync~spin' },
  exited: { id: 'vm-outline' },
  dead: { id: 'error', color: 'errorForeground' },
  missing: { id: 'circle-slash' },
};

/** Phases in which the environment is busy getting somewhere. */
export const BUSY_PHASES: ReadonlySet<EnvironmentPhase> = new Set([
  'Pending',
  'Building',
  'Starting',
  'Stopping',
  'Deleting',
]);
