import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Environment } from '../../api';
import { runGit } from '../../git/runGit';
import { runLogged } from '../../util/runLogged';
import { TerminalError } from '../controller';

/** The source folder on the runner's machine: the given folder, or a clone of the git URL. */
export async function ensureSourceFolder(
  env: Environment,
  sourcesDir: string,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<{ folder: string; cloned: boolean }> {
  const { folder, git } = env.spec.source;
  if (folder) {
    const s = await stat(folder).catch(() => undefined);
    if (!s) throw new TerminalError(`the source folder ${folder} does not exist`);
    if (!s.isDirectory()) throw new TerminalError(`the source ${folder} is not a folder`);
    return { folder, cloned: false };
  }
  const dir = cloneDir(env, sourcesDir);
  if (await stat(join(dir, '.git')).catch(() => undefined)) return { folder: dir, cloned: false };
  await mkdir(sourcesDir, { recursive: true, mode: 0o700 });
  await rm(dir, { recursive: true, force: true });
  log(`Cloning ${git!.url}${git!.ref ? ` (${git!.ref})` : ''}`);
  const args = ['clone', '--progress', ...(git!.ref ? ['--branch', git!.ref] : []), '--', git!.url, dir];
  const code = await runGit(args, log, signal);
  if (code !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`git clone ${git!.url} failed (exit code ${code})`);
  }
  return { folder: dir, cloned: true };
}

export function cloneDir(env: Environment, sourcesDir: string): string {
  return join(sourcesDir, `${env.metadata.name}-${env.metadata.uid.slice(0, 6)}`);
}

/** Runs initializeCommand on the runner's machine, in the source folder. */
export function runOnHost(
  command: { shell?: string; argv?: string[] },
  cwd: string,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<number> {
  const [cmd, ...args] = command.argv ?? ['/bin/sh', '-c', command.shell ?? ''];
  return runLogged(cmd!, args, { cwd }, log, signal);
}
