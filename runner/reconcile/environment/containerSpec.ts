import { parseBytes, type Environment } from '../../api';
import type { ResolvedDevcontainer } from '../../devcontainer';
import { allowancesOf } from '../../policy/hostAccess';
import { LABELS, type ContainerSpec, type HostInfo, type MountSpec } from '../../providers/provider';
import { stableHash } from '../../util/stableHash';

/** Keeps the container alive when overrideCommand is on; exits promptly on SIGTERM. */
export const KEEPALIVE_SCRIPT =
  'echo Container started; trap "exit 0" TERM; while sleep 1000 & wait $!; do :; done';

/**
 * The container's command when image metadata or Features bring entrypoints, as the reference runs
 * them: each entrypoint in order (docker-in-docker's starts dockerd), then the image's own command
 * (`"$@"`, when overrideCommand is false), else the keep-alive.
 */
export function entrypointCommand(
  entrypoints: readonly string[],
  overrideCommand: boolean,
  imageCommand: readonly string[],
): { entrypoint: string[]; cmd: string[] } {
  const script = [
    'echo Container started',
    'trap "exit 0" TERM',
    ...entrypoints,
    'exec "$@"',
    'while sleep 1000 & wait $!; do :; done',
  ].join('\n');
  return { entrypoint: ['/bin/sh'], cmd: ['-c', script, '-', ...(overrideCommand ? [] : imageCommand)] };
}

export interface ResourceDefaults {
  cpus?: number;
  memory?: string;
  pids?: number;
}

export interface EffectiveResources {
  cpus: number;
  memoryBytes: number;
  pids: number;
  /** The container gets the host's GPUs. */
  gpus: boolean;
  warnings: string[];
  /** Requirements this host cannot meet (a required GPU): the environment should not run here. */
  unmet: string[];
}

export type GpuDecision = { gpus: boolean; warning?: string; unmet?: string };

/** hostRequirements.gpu against the engine: all GPUs when it has a GPU runtime; `optional` falls back. */
export function decideGpu(
  requirement: 'required' | 'optional' | undefined,
  hostHasGpu: boolean | undefined,
): GpuDecision {
  if (requirement === undefined) return { gpus: false };
  if (hostHasGpu) return { gpus: true };
  if (requirement === 'optional') {
    return {
      gpus: false,
      warning:
        'hostRequirements.gpu is "optional" and this engine has no GPU runtime: the container runs without GPUs',
    };
  }
  return {
    gpus: false,
    unmet: 'hostRequirements.gpu: the container needs a GPU, and this engine has no GPU runtime (nvidia)',
  };
}

/**
 * Budgets applied to every environment: the spec's, else runArgs', else the runner's
 * defaults (most of the host's CPUs, half its memory up to 16 GiB, 4096 pids), raised
 * to hostRequirements and capped at what the host has.
 */
export function effectiveResources(
  env: Environment,
  resolved: Pick<ResolvedDevcontainer, 'hostRequirements' | 'runArgs'>,
  host: HostInfo,
  defaults: ResourceDefaults = {},
): EffectiveResources {
  const warnings: string[] = [];
  const r = env.spec.resources ?? {};
  const ra = resolved.runArgs.options;
  let cpus = r.cpus ?? ra.cpus ?? defaults.cpus ?? (host.cpus > 2 ? host.cpus - 1 : host.cpus);
  let memoryBytes =
    (r.memory ? parseBytes(r.memory) : undefined) ??
    ra.memory ??
    (defaults.memory ? parseBytes(defaults.memory) : undefined) ??
    Math.min(16 * 1024 ** 3, Math.floor(host.memoryBytes / 2));
  const pids = r.pids ?? ra.pidsLimit ?? defaults.pids ?? 4096;
  const req = resolved.hostRequirements;
  if (req.cpus !== undefined && cpus < req.cpus) {
    if (req.cpus > host.cpus)
      warnings.push(`hostRequirements.cpus ${req.cpus} is more than this host has (${host.cpus})`);
    cpus = Math.min(req.cpus, host.cpus);
  }
  if (req.memory !== undefined && memoryBytes < req.memory) {
    if (req.memory > host.memoryBytes) {
      warnings.push(
        `hostRequirements.memory ${gib(req.memory)} is more than this host has (${gib(host.memoryBytes)})`,
      );
    }
    memoryBytes = Math.min(req.memory, host.memoryBytes);
  }
  cpus = Math.min(cpus, host.cpus);
  const gpu = decideGpu(req.gpu, host.gpu);
  if (gpu.warning) warnings.push(gpu.warning);
  // Until the environment step turns it into its own condition, it shows with the other notes.
  if (gpu.unmet) warnings.push(gpu.unmet);
  return { cpus, memoryBytes, pids, gpus: gpu.gpus, warnings, unmet: gpu.unmet ? [gpu.unmet] : [] };
}

const gib = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GiB`;

export type WorkspaceSource = { type: 'bind'; folder: string } | { type: 'volume'; volume: string };

export interface ContainerSpecInput {
  env: Environment;
  resolved: ResolvedDevcontainer;
  imageRef: string;
  /** The image's own user, the default for containerUser/remoteUser. */
  imageUser: string;
  /** The image's own entrypoint and command, run after metadata entrypoints when overrideCommand is false. */
  imageCommand?: string[];
  workspace: WorkspaceSource;
  resources: EffectiveResources;
  /** The content hash of the devcontainer config and build inputs. */
  configHash: string;
  runnerId: string;
}

export { stableHash };

/**
 * The part of the Environment spec a container is made from. A change here means a new container;
 * `state`, `restart`, timeouts and automations do not. Only the spec as written counts: budgets
 * derived from the host (its CPUs and memory) or from devcontainer.json (hostRequirements, runArgs)
 * do not, so a host that changed or an edited config never recreates a container by itself (the
 * config is reported as drift through the config hash, and applied by a rebuild).
 */
export function environmentHash(env: Environment): string {
  return stableHash(specInputs(env, env.spec.resources));
}

/**
 * What runners before environmentHash labelled containers with: effective resources folded in.
 * Still accepted for the containers they made, so upgrading the runner recreates nothing.
 */
export function legacyEnvironmentHash(env: Environment, resources: EffectiveResources): string {
  return stableHash(
    specInputs(env, { cpus: resources.cpus, memory: resources.memoryBytes, pids: resources.pids }),
  );
}

/** The spec fields a container is made from; the two hashes differ only in how resources count. */
function specInputs(env: Environment, resources: unknown) {
  const s = env.spec;
  return {
    // Whether the source is trusted only matters to initializeCommand, which runs outside the container.
    source: { ...s.source, untrusted: undefined },
    devcontainer: s.devcontainer,
    env: s.env,
    rebuild: s.rebuild,
    allowPrivileged: s.allowPrivileged,
    // A container made with access the spec no longer allows is made again (without it).
    allow: s.allow,
    network: s.network,
    resources,
  };
}

export function containerName(env: Environment): string {
  return `devrig-${env.metadata.name}-${env.metadata.uid.slice(0, 6)}`;
}

export function workspaceVolumeName(env: Environment): string {
  return `devrig-${env.metadata.name}-${env.metadata.uid.slice(0, 6)}-workspace`;
}

/** The user sessions and lifecycle commands run as. */
export function remoteUserOf(resolved: ResolvedDevcontainer, imageUser: string): string {
  return (
    resolved.remoteUser ?? resolved.containerUser ?? resolved.runArgs.options.user ?? (imageUser || 'root')
  );
}

/**
 * Environment + resolved devcontainer.json + image → what to create. Pure. Host access is applied as
 * asked: the reconciler does not get here unless the host access policy allowed all of it. Privileged
 * and devices are checked again against the spec's allowances all the same.
 */
export function buildContainerSpec(input: ContainerSpecInput): ContainerSpec {
  const { env, resolved, workspace, resources } = input;
  const ra = resolved.runArgs.options;
  const allowances = allowancesOf(env.spec);
  const workspaceMount: MountSpec =
    resolved.workspaceMount ??
    (workspace.type === 'bind'
      ? { type: 'bind', source: workspace.folder, target: resolved.workspaceFolder, readOnly: false }
      : { type: 'volume', source: workspace.volume, target: resolved.workspaceFolder, readOnly: false });
  const labels: Record<string, string> = {
    ...ra.labels,
    [LABELS.managed]: 'true',
    [LABELS.runner]: input.runnerId,
    [LABELS.kind]: 'environment',
    [LABELS.environment]: env.metadata.name,
    [LABELS.uid]: env.metadata.uid,
    [LABELS.specHash]: environmentHash(env),
    [LABELS.configHash]: input.configHash,
    [LABELS.generation]: String(env.metadata.generation),
    [LABELS.workspaceFolder]: resolved.workspaceFolder,
    [LABELS.remoteUser]: remoteUserOf(resolved, input.imageUser),
    // What the Dev Containers extension reads to recognise a dev container.
    'devcontainer.local_folder': env.spec.source.folder ?? '',
    'devcontainer.config_file': resolved.configFile,
  };
  const command = resolved.entrypoints?.length
    ? entrypointCommand(resolved.entrypoints, resolved.overrideCommand, input.imageCommand ?? [])
    : resolved.overrideCommand
      ? { entrypoint: ['/bin/sh'], cmd: ['-c', KEEPALIVE_SCRIPT] }
      : { entrypoint: undefined, cmd: undefined };
  return {
    name: containerName(env),
    image: input.imageRef,
    labels,
    env: { ...ra.env, ...resolved.containerEnv, ...env.spec.env },
    user: resolved.containerUser ?? ra.user,
    entrypoint: command.entrypoint,
    cmd: command.cmd,
    workdir: ra.workdir,
    hostname: ra.hostname ?? env.metadata.name,
    mounts: [workspaceMount, ...resolved.mounts, ...ra.mounts],
    init: resolved.init || ra.init === true,
    privileged: (resolved.privileged || ra.privileged === true) && allowances.has('privileged'),
    capAdd: unique([...resolved.capAdd, ...ra.capAdd]),
    capDrop: unique(ra.capDrop),
    securityOpt: unique([...resolved.securityOpt, ...ra.securityOpt]),
    nanoCpus: Math.round(resources.cpus * 1e9),
    memoryBytes: resources.memoryBytes,
    pidsLimit: resources.pids,
    shmSizeBytes: ra.shmSize,
    ulimits: ra.ulimits,
    extraHosts: ra.extraHosts,
    dns: ra.dns,
    // spec.network none wins over runArgs: it is how agent environments are cut off.
    network: env.spec.network === 'none' ? 'none' : ra.network,
    pidMode: ra.pid,
    ipcMode: ra.ipc,
    utsMode: ra.uts,
    usernsMode: ra.userns,
    devices: allowances.has('devices') ? ra.devices : [],
    ...(resolved.appPorts?.length ? { ports: resolved.appPorts } : {}),
    ...(ra.platform ? { platform: ra.platform } : {}),
    ...(resources.gpus ? { gpus: true } : {}),
  };
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
