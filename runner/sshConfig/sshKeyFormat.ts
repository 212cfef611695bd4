import { createHash } from 'node:crypto';

/**
 * OpenSSH public-key text, pure (no ssh2): used by the SSH client side (host keys) and by the
 * gateway (its own keys, authorized_keys).
 */

/** A public key line, `type base64 [comment]`, decoded. */
export interface PublicKeyLine {
  /** `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, … */
  type: string;
  /** The SSH wire-format blob (what a client sends during publickey auth, what a server presents). */
  blob: Buffer;
  comment: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** `type base64 [comment]` → the key, or why it is not one. The blob must name the same type. */
export function parseKeyLine(line: string): PublicKeyLine | { error: string } {
  const [type = '', data = '', ...comment] = line.trim().split(/\s+/);
  if (!type || !data) return { error: 'not a public key (expected "type base64-data [comment]")' };
  if (!BASE64.test(data)) return { error: 'the key is not base64' };
  const blob = Buffer.from(data, 'base64');
  // The blob starts with its own type as an SSH string; a mismatch is a corrupted or edited line.
  if (blobKeyType(blob) !== type) return { error: `the key data does not hold a ${type} key` };
  return { type, blob, comment: comment.join(' ') };
}

/** The algorithm a key blob names first; undefined when it does not look like a key. */
export function blobKeyType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const n = blob.readUInt32BE(0);
  if (n === 0 || n > 64 || blob.length < 4 + n) return undefined;
  return blob.toString('latin1', 4, 4 + n);
}

/** OpenSSH's fingerprint format, as `ssh-keygen -l` and ssh print it: `SHA256:` + unpadded base64. */
export function fingerprint(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}
