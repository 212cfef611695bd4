import { clipName, MAX_LISTED_ISSUES } from '../api/limits';
import { configWarning, type ConfigWarning, type Position } from './errors';
import type { SourceMap } from './sourceMap';
import type { TopLevelKey } from './syntax';

/** Top-level properties devrig implements (or deliberately accepts without effect, like $schema). */
const SUPPORTED = new Set([
  '$schema',
  'name',
  'image',
  'build',
  'dockerFile',
  'context',
  'containerEnv',
  'remoteEnv',
  'remoteUser',
  'containerUser',
  'workspaceFolder',
  'workspaceMount',
  'mounts',
  'runArgs',
  'forwardPorts',
  'portsAttributes',
  'otherPortsAttributes',
  'initializeCommand',
  'onCreateCommand',
  'updateContentCommand',
  'postCreateCommand',
  'postStartCommand',
  'postAttachCommand',
  'overrideCommand',
  'shutdownAction',
  'hostRequirements',
  'customizations',
  'init',
  'privileged',
  'capAdd',
  'securityOpt',
  'appPort',
  'dockerComposeFile',
]);

/** Properties that only mean something beside dockerComposeFile. */
const COMPOSE_ONLY: Record<string, string> = {
  service: 'service only applies to Docker Compose configurations (dockerComposeFile) and was ignored',
  runServices:
    'runServices only applies to Docker Compose configurations (dockerComposeFile) and was ignored',
};

/** Spec properties devrig knows but does not implement, with what that means for the user. */
const UNSUPPORTED: Record<string, string> = {
  features: 'features are not supported by devrig yet; the container is built without them',
  overrideFeatureInstallOrder:
    'features are not supported by devrig yet; overrideFeatureInstallOrder is ignored',
  waitFor: 'waitFor is not supported by devrig and was ignored; lifecycle commands run in order',
  userEnvProbe:
    "userEnvProbe is not supported by devrig and was ignored; the user's shell profile is not probed for variables",
  updateRemoteUserUID:
    "updateRemoteUserUID is not supported by devrig and was ignored; the remote user's UID/GID is not changed",
  secrets: 'secrets are not supported by devrig and were ignored',
  gpu: 'gpu is not supported by devrig and was ignored',
  extensions:
    'top-level "extensions" is deprecated; it was read as customizations.vscode.extensions, please move it there',
  settings:
    'top-level "settings" is deprecated; it was read as customizations.vscode.settings, please move it there',
  devPort: 'devPort is not supported by devrig and was ignored',
};

const BUILD_SUPPORTED = new Set(['dockerfile', 'context', 'args', 'target', 'cacheFrom', 'options']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Unknown properties: one warning each up to a screenful, then one that counts the rest, so a
 * config with thousands of them does not become a status message megabytes long. Only the listed
 * ones are kept while counting.
 */
class UnknownProperties {
  private readonly listed: { property: string; position?: Position }[] = [];
  private count = 0;

  /** Whether the next one is listed (and so needs its position looked up). */
  get listing(): boolean {
    return this.listed.length <= MAX_LISTED_ISSUES;
  }

  add(property: string, position: Position | undefined): void {
    if (this.listing) this.listed.push({ property, position });
    this.count++;
  }

  warnings(file: string): ConfigWarning[] {
    return this.listed.map(({ property, position }, index) => {
      // Quoted as JSON: a key is input, and may hold quotes, line breaks or control characters.
      const message =
        index < MAX_LISTED_ISSUES
          ? `unknown property ${JSON.stringify(clipName(property))} was ignored`
          : `${this.count - MAX_LISTED_ISSUES} more unknown properties were ignored`;
      return configWarning(file, clipName(property), message, position);
    });
  }
}

/**
 * Warnings for properties that are valid JSON but that devrig ignores or reinterprets. `keys` are the
 * top-level keys as written; `config` holds (at least) the ones devrig reads.
 */
export function propertyWarnings(
  keys: readonly TopLevelKey[],
  config: Record<string, unknown>,
  file: string,
  map: SourceMap,
): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const compose = config['dockerComposeFile'] !== undefined;
  const unknown = new UnknownProperties();
  for (const { key, line, column } of keys) {
    if (SUPPORTED.has(key)) continue;
    const at = () => (line !== undefined ? { line, column: column ?? 1 } : map.keyAt([key]));
    if (Object.hasOwn(COMPOSE_ONLY, key)) {
      const message = COMPOSE_ONLY[key];
      if (!compose && message) warnings.push(configWarning(file, key, message, at()));
      continue;
    }
    // Own entries only: `__proto__` and `constructor` are unknown properties like any other.
    const known = Object.hasOwn(UNSUPPORTED, key);
    if (!known && !unknown.listing) {
      unknown.add(key, undefined);
      continue;
    }
    const position = at();
    if (known) warnings.push(configWarning(file, key, UNSUPPORTED[key]!, position));
    else unknown.add(key, position);
  }
  const build = config['build'];
  if (isRecord(build)) {
    for (const key of Object.keys(build)) {
      if (BUILD_SUPPORTED.has(key)) continue;
      unknown.add(`build.${key}`, unknown.listing ? map.keyAt(['build', key]) : undefined);
    }
    const options = build['options'];
    if (Array.isArray(options) && options.length > 0) {
      warnings.push(
        configWarning(
          file,
          'build.options',
          'build.options is not supported by devrig and was ignored',
          map.keyAt(['build', 'options']),
        ),
      );
    }
  }
  return [...warnings, ...unknown.warnings(file)];
}
