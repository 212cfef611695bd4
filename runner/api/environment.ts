import { z } from 'zod';
import { ApplyMeta, ObjectMeta } from './meta';
import { Condition } from './conditions';
import { ByteSize, Duration } from './quantity';
import { AutomationsSpec, AutomationStatus } from './automations';
import { Allowance, HostAccessStatus, InitializeCommandStatus } from './consent';
import { FeaturesSpec, FeaturesStatus } from './features';

export const ENVIRONMENT_FINALIZER = 'devrig.dev/cleanup';
/**
 * Set with the deletion by `devrig delete --volumes` (as Kubernetes records a delete's propagation
 * policy in a finalizer): the clean-up also removes the named volumes of the environment's Compose files.
 */
export const DELETE_VOLUMES_FINALIZER = 'devrig.dev/delete-volumes';

export const GitSource = z.object({
  url: z.string().min(1),
  ref: z.string().optional(),
});

export const EnvironmentSource = z
  .object({
    /** Absolute path of a folder on the machine the runner runs on. */
    folder: z.string().optional(),
    git: GitSource.optional(),
    /**
     * The folder's content is not vouched for by the user (the extension picked it outside a trusted
     * workspace): its initializeCommand needs consent, as a git source's always does.
     */
    untrusted: z.boolean().optional(),
  })
  .refine((s) => (s.folder === undefined) !== (s.git === undefined), {
    message: 'exactly one of source.folder or source.git is required',
  })
  .refine((s) => s.folder === undefined || s.folder.startsWith('/'), {
    message: 'source.folder must be an absolute path',
    path: ['folder'],
  });
export type EnvironmentSource = z.infer<typeof EnvironmentSource>;

export const Resources = z.object({
  cpus: z.number().positive().max(1024).optional(),
  memory: ByteSize.optional(),
  pids: z.number().int().positive().optional(),
});
export type Resources = z.infer<typeof Resources>;

export const DesiredState = z.enum(['Running', 'Stopped']);
export type DesiredState = z.infer<typeof DesiredState>;

export const EnvironmentSpec = z.object({
  source: EnvironmentSource,
  devcontainer: z
    .object({
      /** Path of the devcontainer.json, relative to the source folder (or repository root). */
      path: z.string().optional(),
      /** An inline devcontainer.json, instead of one in the source. */
      config: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  /** Host to run on; `local` is the runner's own Docker engine. */
  host: z.string().optional(),
  /** Pick any reachable host whose labels include all of these. */
  hostSelector: z.record(z.string(), z.string()).optional(),
  state: DesiredState.default('Running'),
  resources: Resources.optional(),
  /** Extra environment for the container and every session in it. */
  env: z.record(z.string(), z.string()).optional(),
  /**
   * `${localEnv:VAR}` values: those of the variables the config references, as set where the
   * environment was applied from (the client captures them). Absent: the runner's own environment.
   */
  localEnv: z.record(z.string(), z.string()).optional(),
  /** Opaque token: changing it rebuilds the image without cache and recreates the container. */
  rebuild: z.string().optional(),
  /** Opaque token: changing it restarts the container. */
  restart: z.string().optional(),
  /** Allows every kind of host access (as if spec.allow listed them all). */
  allowPrivileged: z.boolean().optional(),
  /** The host access the user allowed this environment; anything else that reaches the host is refused. */
  allow: z.array(Allowance).optional(),
  /**
   * The hash (status.initializeCommand.hash) of the initializeCommand the user allowed to run on this
   * machine, for sources that need consent (git, untrusted folders); a changed command needs it again.
   */
  allowInitializeCommand: z.string().optional(),
  automations: AutomationsSpec.optional(),
  timeouts: z.object({ inactivity: Duration.optional() }).optional(),
  /** Start the environment when an SSH session asks for it while stopped. */
  startOnConnect: z.boolean().optional(),
  /** `none`: the container has no network but its own loopback (`--network none`). */
  network: z.enum(['default', 'none']).optional(),
  /** Dev Container Features: the lockfile frozen, or tags resolved afresh. */
  features: FeaturesSpec.optional(),
});
export type EnvironmentSpec = z.infer<typeof EnvironmentSpec>;
export type EnvironmentSpecInput = z.input<typeof EnvironmentSpec>;

export const EnvironmentPhase = z.enum([
  'Pending',
  'Building',
  'Starting',
  'Running',
  'Stopping',
  'Stopped',
  'Failed',
  'Deleting',
  'Unreachable',
]);
export type EnvironmentPhase = z.infer<typeof EnvironmentPhase>;

export const PortStatus = z.object({
  port: z.number().int().min(1).max(65535),
  protocol: z.enum(['tcp']).default('tcp'),
  label: z.string().optional(),
  source: z.enum(['config', 'detected']),
  onAutoForward: z
    .enum(['notify', 'openBrowser', 'openBrowserOnce', 'openPreview', 'silent', 'ignore'])
    .optional(),
  /** Where the runner holds the forward (127.0.0.1). */
  localPort: z.number().int().optional(),
  /** The forward's address for a browser, e.g. http://127.0.0.1:3000 (portsAttributes protocol). */
  url: z.string().optional(),
  /** Whether something listens on the port inside the environment (last look). */
  listening: z.boolean().optional(),
  state: z.enum(['Forwarded', 'Pending', 'Error', 'Ignored']),
  message: z.string().optional(),
  /** A port of another Compose service (`"db:5432"` in forwardPorts), reached from the dev service. */
  service: z.string().optional(),
});
export type PortStatus = z.infer<typeof PortStatus>;

/** A Docker Compose service of the environment's project, as its container is observed. */
export const ServiceStatus = z.object({
  name: z.string(),
  /** The container's state, or `missing` when the service has no container (never started, removed). */
  state: z.enum(['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead', 'missing']),
  /** Started with the environment (runServices and the dev service); others are only defined. */
  wanted: z.boolean(),
  /** The service the environment is: sessions, exec and lifecycle commands land there. */
  dev: z.boolean().optional(),
  containerId: z.string().optional(),
  containerName: z.string().optional(),
  startedAt: z.string().optional(),
  exitCode: z.number().int().optional(),
});
export type ServiceStatus = z.infer<typeof ServiceStatus>;

/**
 * The runner's retries of a failing environment (its work queue's backoff): how many attempts in a row
 * failed and when the next one is. Absent while the last attempt succeeded.
 */
export const RetryStatus = z.object({
  /** Failed attempts in a row, the last one included. */
  attempts: z.number().int().positive(),
  /** When the runner tries again by itself; absent when it waits for a change (a terminal error). */
  nextAttemptAt: z.string().optional(),
  /** The last attempt's error. */
  error: z.string(),
});
export type RetryStatus = z.infer<typeof RetryStatus>;

export const PhaseTransition = z.object({
  phase: EnvironmentPhase,
  time: z.string(),
  reason: z.string().optional(),
});

export const EnvironmentStatus = z.object({
  phase: EnvironmentPhase.default('Pending'),
  observedGeneration: z.number().int().nonnegative().default(0),
  conditions: z.array(Condition).default([]),
  host: z.string().optional(),
  containerId: z.string().optional(),
  containerName: z.string().optional(),
  image: z.string().optional(),
  workspaceFolder: z.string().optional(),
  remoteUser: z.string().optional(),
  configFile: z.string().optional(),
  /** devcontainer.json's `name`, for people (the resource name stays the id). */
  configName: z.string().optional(),
  startedAt: z.string().optional(),
  lastError: z.string().optional(),
  retry: RetryStatus.optional(),
  ports: z.array(PortStatus).default([]),
  automations: z.array(AutomationStatus).default([]),
  /** The last phase transitions, newest last. */
  history: z.array(PhaseTransition).default([]),
  /** Restart token last acted on (see spec.restart). */
  restartHandled: z.string().optional(),
  lastActivity: z.string().optional(),
  /** When an idle environment will be stopped, if nothing happens before. */
  idleStopAt: z.string().optional(),
  /** What the configuration asks for that reaches this machine: allowed by the spec, or refused. */
  hostAccess: HostAccessStatus.optional(),
  /** The initializeCommand awaiting (or given) consent, for sources that need it. */
  initializeCommand: InitializeCommandStatus.optional(),
  /** A Docker Compose environment's services (absent for a single container). */
  services: z.array(ServiceStatus).optional(),
  /** The Docker Compose project the environment runs as. */
  composeProject: z.string().optional(),
  /** The Dev Container Features installed in the environment's image. */
  features: FeaturesStatus.optional(),
});
export type EnvironmentStatus = z.infer<typeof EnvironmentStatus>;

export const Environment = z.object({
  kind: z.literal('Environment'),
  metadata: ObjectMeta,
  spec: EnvironmentSpec,
  status: EnvironmentStatus,
});
export type Environment = z.infer<typeof Environment>;

export const EnvironmentApply = z.object({
  kind: z.literal('Environment'),
  metadata: ApplyMeta,
  spec: EnvironmentSpec,
});
export type EnvironmentApply = z.input<typeof EnvironmentApply>;
