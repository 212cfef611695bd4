/**
 * The keys allowed to log in, in OpenSSH authorized_keys format. Pure: text in, keys out.
 * Lines with options (`command="…"`, `from="…"`, `restrict`…) are reported and skipped: the
 * gateway cannot honour those restrictions, and ignoring them would grant more than the user meant.
 */

export interface AuthorizedKey {
  /** `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, … */
  type: string;
  /** The public key blob (what the client sends during publickey authentication). */
  blob: Buffer;
  comment: string;
}

export interface AuthorizedKeysParse {
  keys: AuthorizedKey[];
  problems: { line: number; message: string }[];
}

const KEY_TYPE =
  /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

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
  const [type = '', data = '', ...comment] = tokens;
  if (!KEY_TYPE.test(type)) {
    // Options come first and may hold quoted spaces: a key type further along means options.
    return tokens.slice(1).some((t) => KEY_TYPE.test(t))
      ? { error: 'key options are not supported; remove them or the key' }
      : { error: `not a public key (starts with ${JSON.stringify(type.slice(0, 20))})` };
  }
  if (!BASE64.test(data)) return { error: 'the key is not base64' };
  const blob = Buffer.from(data, 'base64');
  // The blob starts with its own type as an SSH string; a mismatch is a corrupted or edited line.
  const len = blob.length >= 4 ? blob.readUInt32BE(0) : -1;
  if (len < 0 || 4 + len > blob.length || blob.toString('latin1', 4, 4 + len) !== type) {
    return { error: `the key data does not hold a ${type} key` };
  }
  return { type, blob, comment: comment.join(' ') };
}

/** Whether the client's key (its blob, whatever signature algorithm it uses) is one of `keys`. */
export function isAuthorized(blob: Buffer, keys: readonly AuthorizedKey[]): boolean {
  return keys.some((k) => k.blob.equals(blob));
}
