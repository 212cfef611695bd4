/**
 * The keys allowed to log in, in OpenSSH authorized_keys format. Pure: text in, keys out.
 * Lines with options (`command="…"`, `from="…"`, `restrict`…) are reported and skipped: the
 * gateway cannot honour those restrictions, and ignoring them would grant more than the user meant.
 */

import { parseKeyLine, type PublicKeyLine } from './sshKeyFormat';

export type AuthorizedKey = PublicKeyLine;

export interface AuthorizedKeysParse {
  keys: AuthorizedKey[];
  problems: { line: number; message: string }[];
}

const KEY_TYPE =
  /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)$/;

export function parseAuthorizedKeys(text: string): AuthorizedKeysParse {
  const out: AuthorizedKeysParse = { keys: [], problems: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const parsed = parsePublicKeyLine(line);
    if ('error' in parsed) out.problems.push({ line: i + 1, message: parsed.error });
    else out.keys.push(parsed);
  });
  return out;
}

/** One `type base64 [comment]` line (the format of an `id_*.pub` file). */
export function parsePublicKeyLine(line: string): AuthorizedKey | { error: string } {
  const tokens = line.trim().split(/\s+/);
  const type = tokens[0] ?? '';
  if (!KEY_TYPE.test(type)) {
    // Options come first and may hold quoted spaces: a key type further along means options.
    return tokens.slice(1).some((t) => KEY_TYPE.test(t))
      ? { error: 'key options are not supported; remove them or the key' }
      : { error: `not a public key (starts with ${JSON.stringify(type.slice(0, 20))})` };
  }
  return parseKeyLine(line);
}

/** Whether the client's key (its blob, whatever signature algorithm it uses) is one of `keys`. */
export function isAuthorized(blob: Buffer, keys: readonly AuthorizedKey[]): boolean {
  return keys.some((k) => k.blob.equals(blob));
}
