import { blobKeyType, fingerprint, parseKeyLine } from '../../sshConfig/sshKeyFormat';

/** A host's public key: its algorithm name and the raw SSH wire-format blob. */
export interface HostKey {
  type: string;
  blob: Buffer;
}

/** `ssh-ed25519 AAAA...` (a trailing comment is ignored) → the key; undefined when it is not one. */
export function parseHostKeyLine(line: string): HostKey | undefined {
  const key = parseKeyLine(line);
  return 'error' in key ? undefined : { type: key.type, blob: key.blob };
}

/** The key a server presented (the blob ssh2 hands to hostVerifier). */
export function hostKeyFromBlob(blob: Buffer): HostKey {
  return { type: blobKeyType(blob) ?? 'unknown', blob };
}

export function hostKeyLine(key: HostKey): string {
  return `${key.type} ${key.blob.toString('base64')}`;
}

export type HostKeyDecision =
  { accept: true } | { accept: false; reason: 'AwaitingAcceptance' | 'HostKeyMismatch'; message: string };

/**
 * The host-key policy, StrictHostKeyChecking=yes with first use made explicit: an unpinned host is
 * never trusted (its key waits for a person to accept it), a pinned one must present exactly that
 * key, and a changed key is refused, never replaced, whatever happened before.
 */
export function checkHostKey(host: string, pinned: string | undefined, presented: HostKey): HostKeyDecision {
  if (!pinned) {
    return {
      accept: false,
      reason: 'AwaitingAcceptance',
      message: `host ${host} presented ${presented.type} key ${fingerprint(presented.blob)}; nothing runs there until you trust it: devrig host accept-key ${host}`,
    };
  }
  const expected = parseHostKeyLine(pinned);
  if (expected && expected.blob.equals(presented.blob)) return { accept: true };
  return {
    accept: false,
    reason: 'HostKeyMismatch',
    message:
      `REFUSED: the host key of ${host} changed. Expected ${expected ? `${expected.type} ${fingerprint(expected.blob)}` : `(unreadable pinned key)`}, ` +
      `got ${presented.type} ${fingerprint(presented.blob)}. Someone may be intercepting the connection, or the machine was reinstalled. ` +
      `If you know why, trust the new key with: devrig host accept-key ${host}`,
  };
}

/**
 * Server host-key algorithms to offer: only the pinned key's, so a server with several keys shows
 * the one we know; every usual one while nothing is pinned.
 */
export function hostKeyAlgorithms(pinned: string | undefined): string[] | undefined {
  const type = pinned?.trim().split(/\s+/)[0];
  if (!type) return undefined;
  if (type === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  return [type];
}
