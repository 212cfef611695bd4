import { chmod, mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The runner's private folder: `$DEVRIG_STATE_DIR`, else `$XDG_STATE_HOME/devrig`, else `~/.devrig`.
 * Everything that finds the runner (CLI, extension, tests) goes through here.
 */
/** `home` is the user's home folder (os.homedir(): USERPROFILE on Windows, where HOME is unset). */
export function resolveStateDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  if (env.DEVRIG_STATE_DIR) return env.DEVRIG_STATE_DIR;
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'devrig');
  return join(home, '.devrig');
}

export interface StatePaths {
  root: string;
  token: string;
  info: string;
  lock: string;
  log: string;
  store: string;
  logs: string;
  ssh: string;
  sources: string;
  secrets: string;
  config: string;
  runnerId: string;
  /** Compose projects' generated files and engine sockets, one private folder per environment. */
  compose: string;
}

export function statePaths(root: string): StatePaths {
  return {
    root,
    token: join(root, 'token'),
    info: join(root, 'runner.json'),
    lock: join(root, 'runner.lock'),
    log: join(root, 'runner.log'),
    store: join(root, 'store'),
    logs: join(root, 'logs'),
    ssh: join(root, 'ssh'),
    sources: join(root, 'sources'),
    secrets: join(root, 'secrets.json'),
    config: join(root, 'config.json'),
    runnerId: join(root, 'runner-id'),
    compose: join(root, 'compose'),
  };
}

/** Creates (or tightens) a folder only its owner can enter. */
export async function ensurePrivateDir(path: string): Promise<void> {
  await mkdir(path, { recursive: true, mode: 0o700 });
  const s = await stat(path);
  if ((s.mode & 0o077) !== 0) await chmod(path, 0o700);
}
