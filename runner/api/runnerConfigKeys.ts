// No schemas here: the CLI's help uses it without loading zod.

/** Keys `devrig config set` knows, with what they mean. */
export const RUNNER_CONFIG_KEYS = {
  'dotfiles.repository': 'git URL, owner/repo (GitHub) or a folder on this machine',
  'dotfiles.installCommand': 'command run in the dotfiles folder instead of its install script',
  'dotfiles.targetPath': 'where the dotfiles go in the container (default ~/dotfiles)',
  'agents.network': 'none: environments AI agents create get no network (default: default)',
  'agents.environments': 'your environments AI agents may use too (comma-separated names)',
  'agents.folders': 'folders AI agents may create environments from (comma-separated)',
  'agents.delete': 'own (default): agents delete only what they created; visible: all they see',
  'agents.resources.cpus': 'the most CPUs an agent environment gets (also its default)',
  'agents.resources.memory': 'the most memory an agent environment gets, e.g. 4g',
  'agents.resources.pids': 'the most processes an agent environment may run',
  'compose.path': 'the Docker Compose v2 program (default: `docker compose`, else `docker-compose` on PATH)',
} as const;
export type RunnerConfigKey = keyof typeof RUNNER_CONFIG_KEYS;
