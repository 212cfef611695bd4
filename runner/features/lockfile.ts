import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

/** One entry of devcontainer-lock.json, in the reference's key order. */
export type LockfileEntry = {
  version?: string;
  /** `registry/path@sha256:…` for OCI Features, the URL for tarballs. */
  resolved: string;
  /** `sha256:…`: the manifest digest (OCI) or the archive's (tarball). */
  integrity: string;
  dependsOn?: string[];
};

export type Lockfile = { features: Record<string, LockfileEntry> };

/**
 * What to do with the lockfile: `write` pins what is resolved (the reference's default: written when it
 * differs), `update` resolves tags afresh and rewrites it, `frozen` refuses any difference, `none` neither
 * reads nor writes one (a config that is not a file).
 */
export type LockfileMode = 'write' | 'update' | 'frozen' | 'none';

/** The lockfile refuses the resolution (frozen mode). */
export class LockfileError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
    this.name = 'LockfileError';
  }
}

/** `devcontainer-lock.json` beside the config; `.devcontainer-lock.json` beside a `.devcontainer.json`. */
export function lockfilePath(configFile: string): string {
  const name = path.basename(configFile).startsWith('.')
    ? '.devcontainer-lock.json'
    : 'devcontainer-lock.json';
  return path.join(path.dirname(configFile), name);
}

export type ReadLockfile = { exists: boolean; lockfile?: Lockfile; text?: string };

/** Reads a lockfile; an empty file counts as existing and empty (the reference's "init" file). */
export async function readLockfile(file: string): Promise<ReadLockfile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false };
    throw new LockfileError(`cannot read ${file}: ${(error as Error).message}`, file);
  }
  if (text.trim() === '') return { exists: true, text };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LockfileError(`${file} is not valid JSON: ${(error as Error).message}`, file);
  }
  const features = (parsed as { features?: unknown } | null)?.features;
  if (typeof features !== 'object' || features === null || Array.isArray(features)) {
    throw new LockfileError(`${file} has no "features" object`, file);
  }
  return { exists: true, lockfile: parsed as Lockfile, text };
}

/** A resolved Feature as the lockfile sees it. */
export type LockableFeature = {
  userId: string;
  kind: 'oci' | 'tarball' | 'local';
  version?: string;
  resolved: string;
  digest: string;
  dependsOn: string[];
};

/** The lockfile for resolved Features: OCI and tarball ones (local folders are not locked), sorted by id. */
export function lockfileFor(features: readonly LockableFeature[]): Lockfile {
  const entries = features.filter((f) => f.kind !== 'local').sort((a, b) => a.userId.localeCompare(b.userId));
  const out: Lockfile = { features: {} };
  for (const f of entries) {
    out.features[f.userId] = {
      ...(f.version !== undefined ? { version: f.version } : {}),
      resolved: f.resolved,
      integrity: f.digest,
      ...(f.dependsOn.length ? { dependsOn: f.dependsOn } : {}),
    };
  }
  return out;
}

/** The file's text, exactly as the reference writes it. */
export function lockfileText(lockfile: Lockfile): string {
  return `${JSON.stringify(lockfile, null, 2)}\n`;
}

/** What differs, one line per Feature, for people. */
export function lockfileDifferences(previous: Lockfile | undefined, next: Lockfile): string[] {
  const before = previous?.features ?? {};
  const lines: string[] = [];
  for (const [id, entry] of Object.entries(next.features)) {
    const old = before[id];
    if (!old) lines.push(`${id}: not in the lockfile (would pin ${entry.integrity})`);
    else if (old.integrity !== entry.integrity) {
      lines.push(`${id}: the lockfile pins ${old.integrity}, resolved ${entry.integrity}`);
    } else if (JSON.stringify(old) !== JSON.stringify(entry)) lines.push(`${id}: its entry differs`);
  }
  for (const id of Object.keys(before)) {
    if (!next.features[id]) lines.push(`${id}: in the lockfile but no longer used`);
  }
  return lines;
}

export type LockfileOutcome = { file: string; written: boolean; differences: string[] };

/**
 * Brings the lockfile in line with `next` as `mode` says. Frozen: a missing lockfile or any difference is
 * a LockfileError saying what differs; otherwise a different file is replaced (atomically).
 */
export async function applyLockfile(
  file: string,
  current: ReadLockfile,
  next: Lockfile,
  mode: LockfileMode,
): Promise<LockfileOutcome> {
  if (mode === 'none') return { file, written: false, differences: [] };
  const text = lockfileText(next);
  let normalized: string | undefined;
  if (current.lockfile) normalized = lockfileText(current.lockfile);
  const differences = normalized === text ? [] : lockfileDifferences(current.lockfile, next);
  if (mode === 'frozen') {
    if (!current.exists) {
      throw new LockfileError(`${file} does not exist, and the Features are frozen to the lockfile`, file);
    }
    if (normalized !== text) {
      const detail = differences.length ? differences.join('; ') : 'its content differs';
      throw new LockfileError(
        `${file} does not match the Features resolved (frozen lockfile): ${detail}; update the Features (rebuild --update-features) to rewrite it`,
        file,
      );
    }
    return { file, written: false, differences: [] };
  }
  if (normalized === text) return { file, written: false, differences: [] };
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text);
    await rename(temp, file);
  } finally {
    await rm(temp, { force: true });
  }
  return { file, written: true, differences };
}
