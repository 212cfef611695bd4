import type { Duplex, Readable, Writable } from 'node:stream';
import type { StatsSample } from '../api';
import type { EngineBuildOptions, PublishedPort } from '../devcontainer';

/** Labels devrig puts on everything it creates; the world is the source of truth. */
export const LABELS = {
  managed: 'devrig.managed',
  /** Which runner (state folder) owns it: runners sharing an engine never touch each other's things. */
  runner: 'devrig.runner',
  environment: 'devrig.environment',
  uid: 'devrig.uid',
  specHash: 'devrig.spec-hash',
  configHash: 'devrig.config-hash',
  generation: 'devrig.generation',
  workspaceFolder: 'devrig.workspace-folder',
  remoteUser: 'devrig.remote-user',
  kind: 'devrig.kind',
} as const;

export interface LogSink {
  (line: string): void;
}

export type ImageRequest =
  | { kind: 'image'; ref: string; platform?: string }
  | {
      kind: 'build';
      /** The tag to build to; callers derive it from a hash of the build inputs. */
      tag: string;
      context: string;
      dockerfile: string;
      args: Record<string, string>;
      target?: string;
      noCache?: boolean;
      labels: Record<string, string>;
      /** build.options, passed to the engine's build as its parameters. */
      options?: EngineBuildOptions;
    };

export interface ImageResult {
  ref: string;
  id: string;
  action: 'present' | 'pulled' | 'built';
  /** The image's configured user and env, for remoteUser defaults. */
  user: string;
  env: Record<string, string>;
  /** The image's labels (`devcontainer.metadata` among them). */
  labels: Record<string, string>;
}

export interface MountSpec {
  type: 'bind' | 'volume' | 'tmpfs';
  source?: string;
  target: string;
  readOnly: boolean;
}

/** Everything needed to create a container, independent of the engine's API shape. */
export interface ContainerSpec {
  name: string;
  image: string;
  labels: Record<string, string>;
  env: Record<string, string>;
  user?: string;
  entrypoint?: string[];
  cmd?: string[];
  workdir?: string;
  hostname?: string;
  mounts: MountSpec[];
  init: boolean;
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  securityOpt: string[];
  nanoCpus?: number;
  memoryBytes?: number;
  pidsLimit?: number;
  shmSizeBytes?: number;
  ulimits: { name: string; soft: number; hard: number }[];
  extraHosts: string[];
  dns: string[];
  network?: string;
  /** Namespace modes (`host`, `container:NAME`, …); only set when the host access policy allowed them. */
  pidMode?: string;
  ipcMode?: string;
  utsMode?: string;
  usernsMode?: string;
  devices: string[];
  /** Ports published on the engine's host (appPort: always on 127.0.0.1). */
  ports?: PublishedPort[];
  /** `--platform`: the image platform to run (the engine refuses an image of another). */
  platform?: string;
  /** Every GPU of the host, through the engine's GPU runtime (hostRequirements.gpu). */
  gpus?: boolean;
}

export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerObservation {
  id: string;
  name: string;
  state: ContainerState;
  running: boolean;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  oomKilled: boolean;
  labels: Record<string, string>;
  imageId: string;
  /** Names of the volumes mounted (named and anonymous). */
  volumes?: string[];
  /** The container's configured environment (`${containerEnv:…}` reads it). */
  env?: Record<string, string>;
}

export interface ExecOptions {
  cmd: string[];
  tty: boolean;
  env?: Record<string, string>;
  user?: string;
  workdir?: string;
  cols?: number;
  rows?: number;
  /** Keep stdin open for the process (an interactive session). */
  stdin: boolean;
}

export interface ExecProcess {
  stdin: Writable;
  stdout: Readable;
  /** Empty for TTY sessions (the terminal merges both). */
  stderr: Readable;
  resize(cols: number, rows: number): Promise<void>;
  /** Delivers a signal to the process and its children. */
  signal(signal: string): Promise<void>;
  /** Resolves with the exit code once the process ends and its output is drained. */
  wait(): Promise<{ code: number | null }>;
}

export interface ContainerEvent {
  action: string;
  containerId: string;
  labels: Record<string, string>;
}

export interface HostInfo {
  cpus: number;
  memoryBytes: number;
  serverVersion: string;
  os: string;
  /** The engine has a GPU runtime (nvidia): containers can be given the host's GPUs. */
  gpu?: boolean;
}

/**
 * What reconcilers need from wherever containers run. Docker on the runner's
 * machine and Docker behind an SSH connection both implement it; reconcilers
 * never know which.
 */
export interface ContainerProvider {
  readonly name: string;
  /** On another machine: this machine's folders cannot be bind-mounted, so they are uploaded. */
  readonly remote?: boolean;
  info(): Promise<HostInfo>;
  ensureImage(req: ImageRequest, log: LogSink, signal?: AbortSignal): Promise<ImageResult>;
  ensureVolume(name: string, labels: Record<string, string>): Promise<boolean>;
  removeVolume(name: string): Promise<void>;
  listVolumes(labels: Record<string, string>): Promise<string[]>;
  /**
   * Removes images carrying `labels` (those built for an environment) unless `keep` names them;
   * images a container uses stay. Returns the references removed. Absent where there are no images.
   */
  removeImages?(labels: Record<string, string>, keep: (ref: string) => boolean): Promise<string[]>;
  findContainers(labels: Record<string, string>): Promise<ContainerObservation[]>;
  inspectContainer(id: string): Promise<ContainerObservation | undefined>;
  createContainer(spec: ContainerSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  unpauseContainer(id: string): Promise<void>;
  removeContainer(id: string): Promise<void>;
  exec(id: string, opts: ExecOptions): Promise<ExecProcess>;
  /** Copies a tar stream into the container at `path`. */
  putArchive(id: string, path: string, tar: Readable): Promise<void>;
  /** A tar stream of `path` in the container; undefined when it does not exist. */
  getArchive(id: string, path: string): Promise<Readable | undefined>;
  /** A byte stream to `127.0.0.1:port` inside the container's own network namespace. */
  connectTcp(id: string, port: number): Promise<Duplex>;
  stats(id: string, signal: AbortSignal): AsyncIterable<StatsSample>;
  watchEvents(onEvent: (e: ContainerEvent) => void, onReconnect: () => void): { close(): void };
}
