import { z } from 'zod';
import { AgentsConfig } from './agent';

/**
 * Dotfiles, as in Codespaces and Dev Containers: a repository (git URL, `owner/repo` on GitHub, or
 * a folder on this machine) put into every new container once, then its install script run, or
 * its dotfiles linked into $HOME when it has none.
 */
export const DotfilesConfig = z.strictObject({
  repository: z.string().min(1),
  /** Run in the copied folder instead of looking for install.sh, bootstrap, setup… */
  installCommand: z.string().min(1).optional(),
  /** Where the repository goes in the container; `~/` is the remote user's home. Default ~/dotfiles. */
  targetPath: z.string().min(1).optional(),
});
export type DotfilesConfig = z.infer<typeof DotfilesConfig>;

/** Which Docker Compose program runs Compose configurations (found on PATH when not set). */
export const ComposeConfig = z.strictObject({
  /** A `docker-compose` v2 binary, or a `docker` CLI whose compose plugin is used. */
  path: z.string().min(1).optional(),
});

/** The per-user runner configuration, `<state>/config.json`. Unknown keys are kept for other parts. */
export const RunnerConfig = z.looseObject({
  dotfiles: DotfilesConfig.optional(),
  /** What AI agent sessions (`devrig mcp`) may do. */
  agents: AgentsConfig.optional(),
  compose: ComposeConfig.optional(),
});
export type RunnerConfig = z.infer<typeof RunnerConfig>;

export { RUNNER_CONFIG_KEYS, type RunnerConfigKey } from './runnerConfigKeys';
