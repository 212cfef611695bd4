// No schemas here: the CLI's help uses it without loading zod.

/** Keys `devrig config set` knows, with what they mean. */
export const RUNNER_CONFIG_KEYS = {
  'dotfiles.repository': 'git URL, owner/repo (GitHub) or a folder on this machine',
  'dotfiles.installCommand': 'command run in the dotfiles folder instead of its install script',
  'dotfiles.targetPath': 'where the dotfiles go in the container (default ~/dotfiles)',
  'compose.path': 'the Docker Compose v2 program (default: `docker compose`, else `docker-compose` on PATH)',
} as const;
export type RunnerConfigKey = keyof typeof RUNNER_CONFIG_KEYS;
