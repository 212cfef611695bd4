// devcontainer.json: discovery, parsing, validation, substitution and normalisation. Pure apart from
// reading the config (and checking the Dockerfile exists); nothing here talks to Docker.
export { ConfigError, formatLocation, formatWarning, sortWarnings } from './errors';
export type { ConfigErrorCode, ConfigWarning, Position } from './errors';
export { findDevcontainerConfigs, resolveDevcontainerConfigPath } from './find';
export { parseDevcontainerObject, parseDevcontainerText } from './parse';
export type { ParsedDevcontainer } from './parse';
export { DevcontainerConfigSchema } from './schema';
export type { DevcontainerConfig, LifecycleCommandValue, PortAttributes } from './schema';
export { substituteString, substituteVariables } from './substitute';
export type { SubstitutionContext } from './substitute';
export { LIFECYCLE_HOOKS, normalizeLifecycle, normalizeLifecycleCommand } from './lifecycle';
export type { LifecycleCommand, LifecycleHook } from './lifecycle';
export { parseRunArgs, runArgGroups } from './runArgs';
export type { ParsedRunArgs, RunArgGroup, RunArgOptions, Ulimit } from './runArgs';
export { MountError, mountFromObject, parseMountString, parseVolumeFlag } from './mounts';
export type { Mount, MountType } from './mounts';
export { INLINE_CONFIG_FILE, resolveDevcontainer } from './resolve';
export type {
  HostRequirements,
  ResolveDevcontainerInput,
  ResolvedDevcontainer,
  VsCodeCustomizations,
} from './resolve';
export type { ResolvedBuild } from './build';
export { agentLocalEnv, agentSandboxViolations, checkAgentSandbox } from './agentSandbox';
export { APP_PORT_HOST_IP, parseAppPort } from './appPort';
export type { PublishedPort } from './appPort';
export { emptyBuildOptions, isPlatform, parseBuildOptions } from './buildOptions';
export type { EngineBuildOptions } from './buildOptions';
export { splitComposeForwardPorts } from './compose';
export type { ComposeForwardPort, ResolvedCompose } from './compose';
export type { UserEnvProbe, WaitFor } from './schema';
