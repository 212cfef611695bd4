// Paths in settings: `~` for the home folder (os.homedir(), passed in: HOME is not set on Windows) and
// "absolute" by the rules of the platform the extension runs on. Pure: tests pass path.win32 or
// path.posix to check both.

import nodePath, { type PlatformPath } from 'node:path';

/** `~`, `~/…` (and `~\…` on Windows) under `home`; anything else, or an unknown home, unchanged. */
export function expandHome(p: string, home: string | undefined, path: PlatformPath = nodePath): string {
  if (!home) return p;
  if (p === '~') return home;
  if (p.startsWith('~/') || (path.sep === '\\' && p.startsWith('~\\'))) return path.join(home, p.slice(2));
  return p;
}
