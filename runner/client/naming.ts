// Which environment belongs to a folder, and what a new one is called. Pure, and shared with `devrig
// up`: the environment whose source is the folder, else the folder's name (made unique with a hash
// suffix).

import nodePath, { type PlatformPath } from 'node:path';
import type { Environment } from '../api/environment';
import { NAME_PATTERN } from '../api/names';

export function environmentForFolder(
  envs: readonly Environment[],
  folder: string,
  path: PlatformPath = nodePath,
): Environment | undefined {
  const want = normalizeFolder(folder, path);
  return envs.find(
    (e) => e.spec.source.folder !== undefined && normalizeFolder(e.spec.source.folder, path) === want,
  );
}

/**
 * A folder path in one spelling, so the folder VS Code opened and the one `devrig up` (or another window)
 * recorded compare equal: `.`/`..` and doubled separators resolved, no trailing separator (except a
 * root's), and on Windows `\` as separator and a lower-case drive letter (VS Code says `c:\src`, a
 * shell `C:\src`).
 */
export function normalizeFolder(folder: string, path: PlatformPath = nodePath): string {
  let p = path.normalize(folder);
  if (path.sep === '\\') p = p.replace(/^([A-Za-z]):/, (_, d: string) => `${d.toLowerCase()}:`);
  const root = path.parse(p).root;
  while (p.length > root.length && (p.endsWith(path.sep) || p.endsWith('/'))) p = p.slice(0, -1);
  return p;
}

/** `https://host/org/my-repo.git` → `my-repo`. */
export function nameFromGitUrl(url: string): string {
  const last =
    url
      .replace(/[?#].*$/, '')
      .replace(/\/+$/, '')
      .replace(/\.git$/, '')
      .split(/[/:]/)
      .pop() ?? '';
  return nameFromFolder(last || 'repo');
}

/** `base`, or `base-<hash of key>` when another environment already has that name. */
export function uniqueName(base: string, key: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let salt = 0; ; salt++) {
    const suffix = Math.abs(hash(salt ? `${key}#${salt}` : key))
      .toString(36)
      .slice(0, 6);
    const name = `${base.slice(0, 33).replace(/-+$/, '')}-${suffix}`;
    if (!taken.has(name) && NAME_PATTERN.test(name)) return name;
  }
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  return h;
}

/** Environment names from folder names: lowercase, [a-z0-9-], at most 40 characters. */
export function nameFromFolder(folder: string): string {
  const base = folder.replace(/\/+$/, '').split('/').pop() ?? 'env';
  const n = base
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return n || 'env';
}
