import { open, readFile, rename, unlink } from 'node:fs/promises';

export interface LockHandle {
  release(): Promise<void>;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class LockHeldError extends Error {
  constructor(readonly pid: number) {
    super(`another runner (pid ${pid}) holds the lock`);
    this.name = 'LockHeldError';
  }
}

/**
 * One runner per state folder: an O_EXCL lock file holding the owner's pid.
 * A lock whose pid is gone (a crashed runner) is moved aside atomically, so two
 * starters recovering the same stale lock cannot both win.
 */
export async function acquireLock(path: string, isHolderAlive = processAlive): Promise<LockHandle> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600);
      await fh.writeFile(`${process.pid}\n`);
      await fh.sync();
      await fh.close();
      return {
        release: async () => {
          const owner = await readPid(path);
          if (owner === process.pid) await unlink(path).catch(() => {});
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const pid = await readPid(path);
    if (pid !== undefined && pid !== process.pid && isHolderAlive(pid)) throw new LockHeldError(pid);
    // Stale (or unreadable because a starter is mid-write: give it a moment).
    if (pid === undefined && attempt === 0) {
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    await rename(path, `${path}.stale-${process.pid}`).catch(() => {});
    await unlink(`${path}.stale-${process.pid}`).catch(() => {});
  }
  throw new Error(`could not acquire ${path}`);
}

async function readPid(path: string): Promise<number | undefined> {
  try {
    const n = Number.parseInt((await readFile(path, 'utf8')).trim(), 10);
    return Number.isFinite(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}
