import { configWarning, type ConfigWarning } from './errors';
import type { SourceMap } from './sourceMap';

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
  'features',
  'overrideFeatureInstallOrder',
]);

/** Properties that only mean something beside dockerComposeFile. */
const COMPOSE_ONLY: Record<string, string> = {
  service: 'service only applies to Docker Compose configurations (dockerComposeFile) and was ignored',
  runServices:
    'runServices only applies to Docker Compose configurations (dockerComposeFile) and was ignored',
};

/** Spec properties devrig knows but does not implement, with what that means for the user. */
const UNSUPPORTED: Record<string, string> = {
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

/** Warnings for properties that are valid JSON but that devrig ignores or reinterprets. */
export function propertyWarnings(
  config: Record<string, unknown>,
  file: string,
  map: SourceMap,
): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const compose = config['dockerComposeFile'] !== undefined;
  for (const key of Object.keys(config)) {
    if (SUPPORTED.has(key)) continue;
    if (Object.hasOwn(COMPOSE_ONLY, key)) {
      const message = COMPOSE_ONLY[key];
      if (!compose && message) warnings.push(configWarning(file, key, message, map.keyAt([key])));
      continue;
    }
    const message = UNSUPPORTED[key] ?? `unknown property "${key}" was ignored`;
    warnings.push(configWarning(file, key, message, map.keyAt([key])));
  }
  const build = config['build'];
  if (isRecord(build)) {
    for (const key of Object.keys(build)) {
      if (BUILD_SUPPORTED.has(key)) continue;
      const property = `build.${key}`;
      warnings.push(
        configWarning(
          file,
          property,
          `unknown property "${property}" was ignored`,
          map.keyAt(['build', key]),
        ),
      );
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
  return warnings;
}
