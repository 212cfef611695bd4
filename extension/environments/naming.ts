// Which environment belongs to a folder, and what a new one is called. Pure. Matches `devrig up`: the
// environment whose source is the folder, else the folder's name (made unique with a hash suffix).

import { NAME_PATTERN, type Environment } from '../../runner/api';
import { nameFromFolder } from '../../runner/cli/args';

export function environmentForFolder(envs: readonly Environment[], folder: string): Environment | undefined {
  const norm = (p: string) => p.replace(/\/+$/, '') || '/';
  return envs.find((e) => e.spec.source.folder !== undefined && norm(e.spec.source.folder) === norm(folder));
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
