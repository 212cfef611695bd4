import * as path from 'node:path';
import { parseBytes } from '../api/quantity';
import { resolveAppPorts, type PublishedPort } from './appPort';
import { resolveImageSource, type ImageSource, type ResolvedBuild } from './build';
import { resolveComposeProperties, splitComposeForwardPorts, type ResolvedCompose } from './compose';
import { ConfigError, configWarning, sortWarnings, type ConfigWarning } from './errors';
import { resolveDevcontainerConfigPath } from './find';
import {
  normalizeLifecycle,
  type LifecycleCommand,
  type LifecycleHook,
  type LifecycleStep,
} from './lifecycle';
import { MountError, mountFromObject, parseMountString, type Mount } from './mounts';
import { parseDevcontainerObjectCached, parseDevcontainerTextCached, type ParsedDevcontainer } from './parse';
import { readConfigText } from './readConfig';
import { formatPropertyPath, type PropertyPath } from './propertyPath';
import { normalizeForwardPorts } from './ports';
import { configHostRequests } from './hostRequests';
import type { LocatedContainerRequest } from '../policy/containerRequest';
import { parseRunArgs, type ParsedRunArgs } from './runArgs';
import type { DevcontainerConfig, MountObject, PortAttributes, UserEnvProbe, WaitFor } from './schema';
import type { SourceMap } from './sourceMap';
import { substituteString, substituteVariables, type SubstitutionContext } from './substitute';

export const INLINE_CONFIG_FILE = '(inline)';

export type ResolveDevcontainerInput = {
  /** The local workspace folder (source checkout). */
  folder: string;
  /** devcontainer.json to use, relative to `folder` (or absolute); found by the spec's rules when absent. */
  configPath?: string;
  /** A config given inline instead of a file; relative paths in it are relative to `folder`. */
  inlineConfig?: Record<string, unknown>;
  localEnv: Record<string, string | undefined>;
  devcontainerId: string;
  /** Resolve Docker Compose configs (with `compose` set) instead of refusing them. */
  allowCompose?: boolean;
  /** A build context may reach outside the workspace folder (the spec allows hostMounts; see buildPaths.ts). */
  allowHostContext?: boolean;
};

/** Bytes where the config wrote sizes. */
export type HostRequirements = {
  cpus?: number;
  memory?: number;
  storage?: number;
  /** `true` or an object: the container needs the host's GPUs; `optional`: it uses them when there are some. */
  gpu?: 'required' | 'optional';
};

export type VsCodeCustomizations = { extensions: string[]; settings: Record<string, unknown> };

/** Everything a reconciler needs from devcontainer.json, with variables substituted and defaults applied. */
export type ResolvedDevcontainer = {
  /** Absolute path of devcontainer.json, or '(inline)'. */
  configFile: string;
  /** Folder that relative paths in the config are relative to. */
  configFolder: string;
  name: string;
  /** `name` as devcontainer.json gives it (absent when it gives none: `name` is then the folder's). */
  configName?: string;
  /** Exactly one of image, build and compose is set. */
  image?: string;
  build?: ResolvedBuild;
  /** A Docker Compose config (only with `allowCompose`): the dev service's image comes from Compose. */
  compose?: ResolvedCompose;
  /** Path in the container (`/` by default for Compose, as the reference has it). */
  workspaceFolder: string;
  /** Undefined means the default: bind the local folder at workspaceFolder (never for Compose). */
  workspaceMount?: Mount;
  mounts: Mount[];
  containerEnv: Record<string, string>;
  /** Variables set to null in the config are left out here and listed in remoteEnvUnset. */
  remoteEnv: Record<string, string>;
  remoteEnvUnset: string[];
  remoteUser?: string;
  containerUser?: string;
  runArgs: ParsedRunArgs;
  /** Container ports, deduplicated, in config order. */
  forwardPorts: number[];
  /** appPort, published on 127.0.0.1 only; absent when none are written. */
  appPorts?: PublishedPort[];
  portsAttributes: Record<string, PortAttributes>;
  otherPortsAttributes?: PortAttributes;
  /** devcontainer.json's own lifecycle commands (see lifecycleSteps for every source's, in order). */
  lifecycle: Record<LifecycleHook, LifecycleCommand[]>;
  /**
   * Hooks from the image's metadata and the Features (image first, then Features in install order), set
   * once the image is known: they run before devcontainer.json's own (lifecycleSteps).
   */
  metadataHooks?: Partial<Record<LifecycleHook, LifecycleStep[]>>;
  /** Entrypoints from the image's metadata and the Features: run in order before the container's command. */
  entrypoints?: string[];
  /** `features` as written (references and their options); absent when there are none. */
  features?: Record<string, unknown>;
  overrideFeatureInstallOrder?: unknown;
  /**
   * The config as written, for what is resolved once the image is known (Features, image metadata):
   * where things are written, its image-metadata entry, the substitution it was resolved with. Not what a
   * container is made from by itself (left out of config hashes).
   */
  written?: WrittenConfig;
  /** Default true, for Compose false (as the reference). */
  overrideCommand: boolean;
  /** stopCompose only for Compose configs. */
  shutdownAction: 'none' | 'stopContainer' | 'stopCompose';
  /** The last hook Ready waits for; undefined means the default, updateContentCommand. */
  waitFor?: WaitFor;
  /** How the user's environment is probed; undefined means the default, loginInteractiveShell. */
  userEnvProbe?: UserEnvProbe;
  /** Undefined means the default: true (Linux engines, bind-mounted workspaces). */
  updateRemoteUserUID?: boolean;
  hostRequirements: HostRequirements;
  customizations: { vscode: VsCodeCustomizations };
  /** The top-level properties as written; runArgs may ask for the same things (see runArgs.options). */
  init: boolean;
  privileged: boolean;
  capAdd: string[];
  securityOpt: string[];
  warnings: ConfigWarning[];
  /**
   * What the properties and runArgs above ask for, item by item with file:line:col, for the host access
   * policy. Positions only point at things: not part of what a container is made from (config hashes).
   */
  hostRequests: LocatedContainerRequest[];
};

/** See ResolvedDevcontainer.written. */
export type WrittenConfig = {
  sourceMap: SourceMap;
  /** The config as written (variables not substituted). */
  raw: Record<string, unknown>;
  substitution: SubstitutionContext;
};

type Loaded = ParsedDevcontainer & { file: string; configFolder: string };

async function loadConfig(input: ResolveDevcontainerInput, folder: string): Promise<Loaded> {
  if (input.inlineConfig !== undefined) {
    return {
      ...parseDevcontainerObjectCached(input.inlineConfig, INLINE_CONFIG_FILE),
      file: INLINE_CONFIG_FILE,
      configFolder: folder,
    };
  }
  const file = await resolveDevcontainerConfigPath(folder, input.configPath);
  const text = await readConfigText(file);
  return { ...(await parseDevcontainerTextCached(text, file)), file, configFolder: path.dirname(file) };
}

function invalid(
  file: string,
  sourceMap: SourceMap,
  at: PropertyPath,
  message: string,
  cause?: unknown,
): ConfigError {
  const property = formatPropertyPath(at);
  return new ConfigError(
    { code: 'Invalid', file, message: `"${property}" ${message}`, position: sourceMap.valueAt(at), property },
    cause === undefined ? undefined : { cause },
  );
}

function toMount(spec: string | MountObject, at: PropertyPath, loaded: Loaded): Mount {
  try {
    return typeof spec === 'string' ? parseMountString(spec) : mountFromObject(spec);
  } catch (error) {
    if (!(error instanceof MountError)) throw error;
    throw invalid(loaded.file, loaded.sourceMap, at, `is not a valid mount: ${error.message}`, error);
  }
}

function sizeOf(text: string | undefined): number | undefined {
  return text === undefined ? undefined : parseBytes(text);
}

function hostRequirements(
  config: DevcontainerConfig,
  loaded: Loaded,
  warnings: ConfigWarning[],
): HostRequirements {
  const requirements = config.hostRequirements;
  if (!requirements) return {};
  const gpu = requirements.gpu;
  if (typeof gpu === 'object' && (gpu.cores !== undefined || gpu.memory !== undefined)) {
    const message =
      'hostRequirements.gpu: every GPU of the host is given to the container; cores and memory are not checked';
    warnings.push(
      configWarning(
        loaded.file,
        'hostRequirements.gpu',
        message,
        loaded.sourceMap.keyAt(['hostRequirements', 'gpu']),
      ),
    );
  }
  const memory = sizeOf(requirements.memory);
  const storage = sizeOf(requirements.storage);
  return {
    ...(requirements.cpus !== undefined ? { cpus: requirements.cpus } : {}),
    ...(memory !== undefined ? { memory } : {}),
    ...(storage !== undefined ? { storage } : {}),
    ...(gpu === 'optional'
      ? { gpu: 'optional' }
      : gpu === true || typeof gpu === 'object'
        ? { gpu: 'required' }
        : {}),
  };
}

/** customizations.vscode, with the deprecated top-level extensions/settings folded in underneath. */
function vscodeCustomizations(config: DevcontainerConfig): VsCodeCustomizations {
  const vscode = config.customizations?.vscode;
  return {
    extensions: [...new Set([...(config.extensions ?? []), ...(vscode?.extensions ?? [])])],
    settings: { ...config.settings, ...vscode?.settings },
  };
}

function shutdownAction(
  config: DevcontainerConfig,
  loaded: Loaded,
  warnings: ConfigWarning[],
): 'none' | 'stopContainer' {
  if (config.shutdownAction !== 'stopCompose') return config.shutdownAction ?? 'stopContainer';
  const message = '"shutdownAction": "stopCompose" only applies to Docker Compose; "stopContainer" is used';
  warnings.push(
    configWarning(loaded.file, 'shutdownAction', message, loaded.sourceMap.valueAt(['shutdownAction'])),
  );
  return 'stopContainer';
}

/** The container's workspace folder, which `${containerWorkspaceFolder}` elsewhere refers to. */
function workspaceFolder(
  config: DevcontainerConfig,
  folder: string,
  ctx: SubstitutionContext,
  loaded: Loaded,
): string {
  if (!config.workspaceFolder) {
    // Compose: the Compose file decides where the workspace is mounted; the reference defaults to /.
    return config.dockerComposeFile !== undefined
      ? '/'
      : path.posix.join('/workspaces', path.basename(folder));
  }
  const resolved = substituteString(config.workspaceFolder, ctx);
  if (!resolved.startsWith('/')) {
    throw invalid(
      loaded.file,
      loaded.sourceMap,
      ['workspaceFolder'],
      `must be an absolute path in the container, not "${resolved}"`,
    );
  }
  return resolved;
}

/**
 * Finds, reads, validates and normalises a devcontainer config. Throws ConfigError (NotFound, Syntax,
 * Invalid) pointing at file:line:col; everything accepted-but-ignored is in `warnings`.
 * `${containerEnv:…}` references are left verbatim: substitute them once the container runs.
 */
export async function resolveDevcontainer(input: ResolveDevcontainerInput): Promise<ResolvedDevcontainer> {
  const folder = path.resolve(input.folder);
  const loaded = await loadConfig(input, folder);
  const { file, sourceMap } = loaded;
  const warnings = [...loaded.warnings];

  const isCompose = loaded.config.dockerComposeFile !== undefined;
  if (isCompose && !input.allowCompose) {
    throw new ConfigError({
      code: 'Invalid',
      file,
      message:
        'Docker Compose configurations (dockerComposeFile) are not supported by devrig; use "image" or "build"',
      position: sourceMap.keyAt(['dockerComposeFile']),
      property: 'dockerComposeFile',
    });
  }

  // The workspace folder comes first: every other property may refer to it as ${containerWorkspaceFolder}.
  const baseContext: SubstitutionContext = {
    localWorkspaceFolder: folder,
    localEnv: input.localEnv,
    devcontainerId: input.devcontainerId,
  };
  const containerWorkspaceFolder = workspaceFolder(loaded.config, folder, baseContext, loaded);
  const config = substituteVariables(loaded.config, { ...baseContext, containerWorkspaceFolder });

  const where = { file, sourceMap };
  const compose = isCompose
    ? await resolveComposeProperties(config, loaded.configFolder, where, warnings)
    : undefined;
  const image: ImageSource | undefined = compose
    ? undefined
    : await resolveImageSource(config, loaded.configFolder, where, warnings, {
        workspaceFolder: folder,
        allowHostContext: input.allowHostContext ?? false,
      });
  const ownPorts = compose ? splitComposeForwardPorts(config.forwardPorts ?? []).own : config.forwardPorts;
  const ports = normalizeForwardPorts(ownPorts ?? [], file, sourceMap);
  warnings.push(...ports.warnings);
  // Compose configs set container options in the Compose file; the reference ignores runArgs there.
  const runArgs = parseRunArgs(compose ? [] : (config.runArgs ?? []));
  const appPorts = compose ? [] : resolveAppPorts(config.appPort, where, warnings);
  const runArgsAt = sourceMap.keyAt(['runArgs']);
  warnings.push(...runArgs.warnings.map((message) => configWarning(file, 'runArgs', message, runArgsAt)));
  const remoteEnvEntries = Object.entries(config.remoteEnv ?? {});
  // Compose never mounts the workspace itself (the compose file does), as the reference.
  const workspaceMount =
    config.workspaceMount && !isCompose
      ? toMount(config.workspaceMount, ['workspaceMount'], loaded)
      : undefined;
  const mounts = (config.mounts ?? []).map((spec, index) => toMount(spec, ['mounts', index], loaded));
  const raw = loaded.config as Record<string, unknown>;
  const features = raw['features'];
  const hasFeatures =
    features !== undefined &&
    !(typeof features === 'object' && features !== null && !Object.keys(features).length);

  return {
    configFile: file,
    configFolder: loaded.configFolder,
    name: config.name || path.basename(folder),
    ...(config.name ? { configName: config.name } : {}),
    ...(compose
      ? { compose }
      : image?.image !== undefined
        ? { image: image.image }
        : { build: image?.build }),
    workspaceFolder: containerWorkspaceFolder,
    ...(workspaceMount ? { workspaceMount } : {}),
    mounts,
    containerEnv: { ...config.containerEnv },
    remoteEnv: Object.fromEntries(remoteEnvEntries.filter((e): e is [string, string] => e[1] !== null)),
    remoteEnvUnset: remoteEnvEntries.filter(([, value]) => value === null).map(([name]) => name),
    ...(config.remoteUser ? { remoteUser: config.remoteUser } : {}),
    ...(config.containerUser ? { containerUser: config.containerUser } : {}),
    runArgs,
    forwardPorts: ports.ports,
    ...(appPorts.length > 0 ? { appPorts } : {}),
    portsAttributes: { ...config.portsAttributes },
    ...(config.otherPortsAttributes ? { otherPortsAttributes: config.otherPortsAttributes } : {}),
    lifecycle: normalizeLifecycle(config),
    overrideCommand: config.overrideCommand ?? !compose,
    shutdownAction: compose ? compose.shutdownAction : shutdownAction(config, loaded, warnings),
    ...(config.waitFor !== undefined ? { waitFor: config.waitFor } : {}),
    ...(config.userEnvProbe !== undefined ? { userEnvProbe: config.userEnvProbe } : {}),
    ...(config.updateRemoteUserUID !== undefined ? { updateRemoteUserUID: config.updateRemoteUserUID } : {}),
    hostRequirements: hostRequirements(config, loaded, warnings),
    customizations: { vscode: vscodeCustomizations(config) },
    init: config.init ?? false,
    privileged: config.privileged ?? false,
    capAdd: [...(config.capAdd ?? [])],
    securityOpt: [...(config.securityOpt ?? [])],
    warnings: sortWarnings(warnings),
    hostRequests: configHostRequests({ config, file, sourceMap, mounts, workspaceMount }),
    ...(hasFeatures ? { features: features as Record<string, unknown> } : {}),
    ...(raw['overrideFeatureInstallOrder'] !== undefined
      ? { overrideFeatureInstallOrder: raw['overrideFeatureInstallOrder'] }
      : {}),
    written: { sourceMap, raw, substitution: { ...baseContext, containerWorkspaceFolder } },
  };
}
