import { createHash } from 'node:crypto';
import { mkdir, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { runGit } from '../git/runGit';

export type DotfilesSource = { kind: 'folder'; path: string } | { kind: 'git'; url: string };

/**
 * What a dotfiles `repository` setting means, as in Dev Containers and Codespaces: a folder on
 * this machine (absolute, `~/…`, `./…` or file://), `owner/repo` for GitHub, else a git URL.
 */
export function dotfilesSource(repository: string, home = homedir()): DotfilesSource {
  const r = repository.trim();
  if (r.startsWith('file://')) return { kind: 'folder', path: decodeURIComponent(r.slice('file://'.length)) };
  if (r === '~' || r.startsWith('~/')) return { kind: 'folder', path: join(home, r.slice(1)) };
  if (isAbsolute(r) || r.startsWith('./') || r.startsWith('../')) return { kind: 'folder', path: resolve(r) };
  if (/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(r)) {
    return { kind: 'git', url: `https://github.com/${r.replace(/\.git$/, '')}.git` };
  }
  return { kind: 'git', url: r };
}

/**
 * A local folder holding the dotfiles: the configured folder itself, or a fresh shallow clone
 * made on this machine (with this user's git credentials, which the container does not have).
 */
export async function fetchDotfiles(
  source: DotfilesSource,
  cacheDir: string,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<string> {
  if (source.kind === 'folder') {
    const s = await stat(source.path).catch(() => undefined);
    if (!s?.isDirectory()) throw new Error(`the dotfiles folder ${source.path} does not exist`);
    // A bare repository has no files to copy: check it out like a remote one.
    if (!(await isBareRepository(source.path))) return source.path;
  }
  const url = source.kind === 'git' ? source.url : source.path;
  const dir = join(cacheDir, createHash('sha256').update(url).digest('hex').slice(0, 16));
  await mkdir(cacheDir, { recursive: true, mode: 0o700 });
  await rm(dir, { recursive: true, force: true });
  log(`Cloning dotfiles from ${url}`);
  const code = await runGit(['clone', '--depth', '1', '--recurse-submodules', '--', url, dir], log, signal);
  if (code !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`git clone ${url} failed (exit code ${code})`);
  }
  return dir;
}

async function isBareRepository(path: string): Promise<boolean> {
  const [head, objects, dotGit] = await Promise.all(
    ['HEAD', 'objects', '.git'].map((p) => stat(join(path, p)).catch(() => undefined)),
  );
  return !!head?.isFile() && !!objects?.isDirectory() && !dotGit;
}
