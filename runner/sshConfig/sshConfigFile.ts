// File I/O for ssh_config: adding devrig's Include to the user's ~/.ssh/config (written atomically with
// runner/state's writeFileAtomic, after resolving symlinks so dotfile links keep working).

import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { writeFileAtomic } from '../state/privateFile';
import { applyDevrigInclude, sshIncludeLine, type SshConfigWarning } from './sshConfigInclude';

export interface EnsureSshIncludeResult {
  changed: boolean;
  warnings: SshConfigWarning[];
}

/**
 * Makes the user's ssh_config (normally `~/.ssh/config`) include devrig's ssh_config at its top (see
 * applyDevrigInclude). A missing file is created with mode 0600 (and its directory with 0700); an existing
 * one keeps its mode, and a symlink keeps pointing at its (updated) target. Writes only when something
 * changes. Bytes that are not valid UTF-8 are preserved. Warnings name the file with `~` for the home
 * directory. On failure throws an Error naming the file and
 * the line to add by hand, with the original error as `cause`; the file is then left untouched.
 */
export async function ensureSshInclude(
  userConfigPath: string,
  devrigConfigPath: string,
): Promise<EnsureSshIncludeResult> {
  try {
    const target = await resolveTarget(userConfigPath);
    let existing: { data: Buffer; mode: number } | undefined;
    try {
      const [data, stat] = await Promise.all([fs.readFile(target), fs.stat(target)]);
      existing = { data, mode: stat.mode & 0o7777 };
    } catch (err) {
      if (errorCode(err) !== 'ENOENT') throw err;
    }

    // Decode as UTF-8 when that round-trips exactly, else as latin1 (one char per byte) so that no byte
    // of the user's file changes; devrig's path is then spliced in as its UTF-8 bytes.
    let encoding: 'utf8' | 'latin1' = 'utf8';
    let text: string | undefined;
    if (existing) {
      text = existing.data.toString('utf8');
      if (!Buffer.from(text, 'utf8').equals(existing.data)) {
        encoding = 'latin1';
        text = existing.data.toString('latin1');
      }
    }
    const pathInText =
      encoding === 'utf8' ? devrigConfigPath : Buffer.from(devrigConfigPath, 'utf8').toString('latin1');
    const result = applyDevrigInclude(text, pathInText, { displayPath: tildify(userConfigPath) });
    if (result.changed) {
      if (!existing) await fs.mkdir(dirname(target), { recursive: true, mode: 0o700 });
      await writeFileAtomic(target, Buffer.from(result.text, encoding), existing?.mode ?? 0o600);
    }
    return { changed: result.changed, warnings: result.warnings };
  } catch (err) {
    throw new Error(
      `cannot update ${userConfigPath}: ${describe(err)}; add this line yourself: ${sshIncludeLine(devrigConfigPath)}`,
      { cause: err },
    );
  }
}

/** The ssh_config OpenSSH reads for the current user (Remote-SSH's default too). */
export function defaultUserSshConfig(): string {
  return join(homedir(), '.ssh', 'config');
}

/** `~/.ssh/config` rather than `/home/u/.ssh/config` in warnings. */
function tildify(path: string): string {
  const home = homedir();
  return home && home !== sep && path.startsWith(home + sep) ? '~' + path.slice(home.length) : path;
}

/** The file to write: `path`, or the final target when `path` is a symlink (dotfile managers use them). */
async function resolveTarget(path: string): Promise<string> {
  try {
    return await fs.realpath(path);
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err;
  }
  // Missing, or a dangling symlink, or a missing parent directory.
  const stat = await fs.lstat(path).catch((err: unknown) => {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  });
  if (stat?.isSymbolicLink()) {
    const link = await fs.readlink(path);
    throw Object.assign(new Error(`it is a symlink to a missing file (${link})`), { code: 'ENOENT' });
  }
  return path;
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a parent path is not a directory',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ELOOP: 'too many levels of symbolic links',
};

function describe(err: unknown): string {
  const code = errorCode(err);
  const reason = code ? REASONS[code] : undefined;
  if (reason && code) return `${reason} (${code})`;
  return err instanceof Error ? err.message : String(err);
}
