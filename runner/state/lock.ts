import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fsyncDir } from './fsyncDir';
import { readFileIfExists } from './privateFile';
import { isExitedUnreaped } from './zombie';

export interface LockHandle {
  release(): Promise<void>;
}

/** A process, told apart from a later one given the same pid by its start time (where the OS says). */
export interface ProcessIdentity {
  pid: number;
  /** Linux: field 22 of /proc/<pid>/stat (clock ticks since boot). Elsewhere undefined. */
  startTime?: string;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A zombie answers signal 0 until its parent reaps it, yet it has exited: a killed runner whose
  // parent never reaps it must not block the next start.
  return !isExitedUnreaped(pid);
}

/** When process `pid` started (Linux); undefined where the OS does not say or the process is gone. */
export function processStartTime(pid: number): string | undefined {
  if (process.platform !== 'linux') return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const start = fields[22 - 3];
  return start && /^\d+$/.test(start) ? start : undefined;
}

/** This process, as other processes will check it. */
export function currentProcess(): ProcessIdentity {
  return { pid: process.pid, startTime: processStartTime(process.pid) };
}

/**
 * Whether the process recorded as `id` still runs: its pid is alive and, when a start time was
 * recorded and the OS can tell, started at that time (not a later process that reused the pid).
 */
export function isProcessRunning(id: ProcessIdentity): boolean {
  if (!processAlive(id.pid)) return false;
  if (id.startTime === undefined) return true;
  const now = processStartTime(id.pid);
  return now === undefined || now === id.startTime;
}

export class LockHeldError extends Error {
  constructor(readonly pid: number) {
    super(`another runner (pid ${pid}) holds the lock`);
    this.name = 'LockHeldError';
  }
}

export interface AcquireLockOptions {
  /** Whether the process holding the lock is still running; default isProcessRunning. */
  isHolderAlive?: (holder: ProcessIdentity) => boolean | Promise<boolean>;
  /** Who takes the lock; default this process. */
  owner?: ProcessIdentity;
}

/** `<pid>\n[<start time>\n]`: the first line alone is what older versions wrote and read. */
export function lockText(id: ProcessIdentity): string {
  return id.startTime === undefined ? `${id.pid}\n` : `${id.pid}\n${id.startTime}\n`;
}

export function parseLockText(text: string | undefined): ProcessIdentity | undefined {
  if (text === undefined) return undefined;
  const [first = '', second = ''] = text.split('\n').map((l) => l.trim());
  const pid = /^\d+$/.test(first) ? Number(first) : NaN;
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return /^\d+$/.test(second) ? { pid, startTime: second } : { pid };
}

/**
 * One runner per state folder: a lock file holding the owner's pid and start time. The lock appears
 * with its content at once (a hard link of a written temp file), so nobody reads a half-written one.
 * A lock whose holder is gone (a crashed runner) is moved aside atomically; since a starter that
 * judged it stale may be slower than one that already replaced it, whoever moves a lock aside checks
 * it is the stale one it judged, and puts back a fresh one it took by mistake.
 */
export async function acquireLock(path: string, opts: AcquireLockOptions = {}): Promise<LockHandle> {
  const owner = opts.owner ?? currentProcess();
  const isHolderAlive = opts.isHolderAlive ?? isProcessRunning;
  const mine = lockText(owner);
  const suffix = `${owner.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = `${path}.new-${suffix}`;
  const aside = `${path}.stale-${suffix}`;
  await writeNew(tmp, mine);
  try {
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        await createExclusive(path, mine, tmp);
        await fsyncDir(dirname(path)).catch(() => {});
        return {
          release: async () => {
            if ((await readText(path)) === mine) await unlink(path).catch(() => {});
          },
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const seen = await readText(path);
      if (seen === undefined) continue; // released meanwhile: try again
      const holder = parseLockText(seen);
      if (holder && holder.pid !== owner.pid && (await isHolderAlive(holder))) {
        throw new LockHeldError(holder.pid);
      }
      // Unreadable: being written in place (an older runner, a file system without hard links)?
      // Give it a moment, once.
      if (!holder && attempt === 0) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
      try {
        await rename(path, aside);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      const moved = await readText(aside);
      // Someone replaced the stale lock between our read and our rename: that one is theirs.
      // Put it back unless the path was taken meanwhile (link never overwrites).
      if (moved !== undefined && moved !== seen) await createExclusive(path, moved, aside).catch(() => {});
      await unlink(aside).catch(() => {});
    }
    throw new Error(`could not acquire ${path}`);
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

/**
 * Creates `path` holding `text` unless it exists (EEXIST): as a hard link of `copyOf` (which holds
 * `text`), so it never exists half-written; where the file system has no hard links, written in place.
 */
async function createExclusive(path: string, text: string, copyOf: string): Promise<void> {
  try {
    await link(copyOf, path);
    return;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw e;
  }
  await writeNew(path, text);
}

/** Creates `path` (0600) holding `text`, durably; fails if it exists. */
async function writeNew(path: string, text: string): Promise<void> {
  const fh = await open(path, 'wx', 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The file's text; undefined when it cannot be read (gone, or anything else). */
function readText(path: string): Promise<string | undefined> {
  return readFileIfExists(path).catch(() => undefined);
}
