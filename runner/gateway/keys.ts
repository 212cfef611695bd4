import { chmod, stat } from 'node:fs/promises';
import { utils, type ParsedKey } from 'ssh2';
import { readFileIfExists, writeFileAtomic } from '../state/privateFile';

export interface KeyPair {
  /** OpenSSH private key text. */
  privateKey: string;
  /** `ssh-ed25519 AAAA…` without a comment. */
  publicKey: string;
  /** The public key blob, as clients send it. */
  blob: Buffer;
}

/**
 * Reads the ed25519 key pair at `path`, generating it (0600, and `publicPath` 0644 when given) the
 * first time. An existing key is never replaced: the host key is pinned in users' known_hosts and
 * the identity may be authorised elsewhere, so a damaged file is an error to fix, not to paper over.
 */
export async function ensureKeyPair(path: string, comment: string, publicPath?: string): Promise<KeyPair> {
  const existing = await readFileIfExists(path);
  if (existing !== undefined) {
    const pair = keyPairFrom(existing, path);
    const s = await stat(path);
    if ((s.mode & 0o077) !== 0) await chmod(path, 0o600);
    if (
      publicPath &&
      (await readFileIfExists(publicPath))?.trim().split(/\s+/)[1] !== pair.publicKey.split(' ')[1]
    ) {
      await writeFileAtomic(publicPath, `${pair.publicKey} ${comment}\n`, 0o644);
    }
    return pair;
  }
  const generated = utils.generateKeyPairSync('ed25519', { comment });
  await writeFileAtomic(path, generated.private, 0o600);
  const pair = keyPairFrom(generated.private, path);
  if (publicPath) await writeFileAtomic(publicPath, `${pair.publicKey} ${comment}\n`, 0o644);
  return pair;
}

function keyPairFrom(text: string, path: string): KeyPair {
  const parsed = utils.parseKey(text);
  if (parsed instanceof Error) {
    throw new Error(`cannot read the SSH key ${path}: ${parsed.message}`, { cause: parsed });
  }
  const key = (Array.isArray(parsed) ? parsed[0] : parsed) as ParsedKey | undefined;
  if (!key || !key.isPrivateKey()) throw new Error(`${path} does not hold a private SSH key`);
  const blob = key.getPublicSSH();
  return { privateKey: text, publicKey: `${key.type} ${blob.toString('base64')}`, blob };
}
