// The shapes the host access policy reads. Every source of container settings — devcontainer.json's
// properties and runArgs, image metadata, Features, Compose services — is turned into ContainerRequests
// with where each was written, and judged by the one policy (hostAccess.ts). Types only.

import type { Allowance } from '../api/allowances';
import type { RequestOrigin } from '../api/consent';

/** Where a request was written: enough to point a person at it. */
export type RequestSource = {
  origin: RequestOrigin;
  /** Feature id, Compose service, image reference. */
  name?: string;
  /** The property, e.g. `runArgs[2]`, `mounts[0]`, `privileged`, `services.app.cap_add[0]`. */
  property?: string;
  /** The text as written, when it helps (`--network host`). */
  written?: string;
  file?: string;
  line?: number;
  col?: number;
};

/** A mount as asked for; only binds (a host path as `source`) can reach the host. */
export type MountRequest = { type: string; source?: string; target: string };

/**
 * The container settings that can reach the host, as any source asks for them (all optional). Features
 * (`privileged`, `capAdd`, `securityOpt`, `mounts`), image metadata (the same plus the rest of
 * devcontainer.json's properties) and Compose services (`privileged`, `devices`, `cap_add`,
 * `security_opt`, `volumes`, `network_mode`, `pid`, `ipc`, `uts`, `userns_mode`, `mem_limit`,
 * `pids_limit`) map onto it field by field.
 */
export type ContainerRequest = {
  privileged?: boolean;
  /** `/dev/kvm` or `/dev/fuse:/dev/fuse:rwm`. */
  devices?: readonly string[];
  capAdd?: readonly string[];
  securityOpt?: readonly string[];
  mounts?: readonly MountRequest[];
  workspaceMount?: MountRequest;
  networkMode?: string;
  pidMode?: string;
  ipcMode?: string;
  utsMode?: string;
  usernsMode?: string;
  /** Bytes; 0 or less means no limit. */
  memoryBytes?: number;
  /** 0 or less means no limit. */
  pidsLimit?: number;
};

/** A request with where it came from: what sources hand to the policy. */
export type LocatedContainerRequest = { request: ContainerRequest; source: RequestSource };

/** What a request is judged as: the allowance that lets it through, or the state folder that nothing does. */
export type HostAccessKind = Allowance | 'stateFolder';

/** One normalised thing that reaches the host: what the policy decides on. */
export type HostAccessRequest = {
  kind: HostAccessKind;
  /** What it gives the container, for people: `the capability SYS_ADMIN`. */
  detail: string;
  source: RequestSource;
};

/** What the policy needs to know about this machine to judge paths and budgets. Plain data and one lookup. */
export type HostContext = {
  /** The user's home folder on the machine the container runs on (unknown for remote hosts). */
  home?: string;
  /** devrig's state folder: never mounted. */
  stateDir?: string;
  /**
   * The folder that is the workspace (the source folder, or the clone of a git source): mounts inside it
   * mount what the workspace mount already does, so they are not host access.
   */
  workspaceFolder?: string;
  /** Engine sockets besides the well-known names (docker.sock, podman.sock …), e.g. DOCKER_HOST's. */
  engineSockets?: readonly string[];
  /** The user's SSH agent socket (SSH_AUTH_SOCK). */
  sshAuthSock?: string;
  /** The machine's memory, to judge budgets above it. */
  hostMemoryBytes?: number;
  /** The real path of a host path (symlinks resolved) when it exists; only for the runner's own machine. */
  realPath?: (path: string) => string | undefined;
  /** Budgets spec.resources sets: a request's own are then not used, so not judged. */
  budgetsSetBySpec?: { memory?: boolean; pids?: boolean };
};
