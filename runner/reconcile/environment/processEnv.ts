import type { Environment } from '../../api';

/**
 * The variables every process devrig starts in an environment gets (sessions, lifecycle commands,
 * automations, dotfiles): devcontainer.json's remoteEnv, then the spec's env, then the secrets.
 */
export function environmentProcessEnv(
  remoteEnv: Readonly<Record<string, string>> | undefined,
  env: Environment,
  secrets: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  return { ...remoteEnv, ...env.spec.env, ...secrets };
}
