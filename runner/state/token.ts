import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, stat } from 'node:fs/promises';
import { readFileIfExists, writeFileAtomic } from './privateFile';

/** Reads the runner's API token, creating a fresh 256-bit one (0600) on first use. */
export async function ensureToken(path: string): Promise<string> {
  const existing = (await readFileIfExists(path))?.trim();
  if (existing && existing.length >= 32) {
    const s = await stat(path);
    if ((s.mode & 0o077) !== 0) await chmod(path, 0o600);
    return existing;
  }
  const token = randomBytes(32).toString('base64url');
  await writeFileAtomic(path, token + '\n', 0o600);
  return token;
}

export function tokensEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** A stable id for this state folder, put on everything the runner creates. */
export async function ensureRunnerId(path: string): Promise<string> {
  const existing = (await readFileIfExists(path))?.trim();
  if (existing && /^[0-9a-f]{12}$/.test(existing)) return existing;
  const id = randomBytes(6).toString('hex');
  await writeFileAtomic(path, id + '\n', 0o600);
  return id;
}
