import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureKeyPair } from '../../../../runner/gateway/keys';
import { fingerprint } from '../../../../runner/sshConfig/sshKeyFormat';

test('ensureKeyPair generates an ed25519 pair once (0600), then reads the same one back', async (t) => {
  const dir = await fs.mkdtemp(join(tmpdir(), 'devrig-keys-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const key = join(dir, 'id_ed25519');
  const first = await ensureKeyPair(key, 'devrig', key + '.pub');
  assert.match(first.publicKey, /^ssh-ed25519 [A-Za-z0-9+/]+=*$/);
  assert.equal((await fs.stat(key)).mode & 0o777, 0o600);
  assert.equal(await fs.readFile(key + '.pub', 'utf8'), `${first.publicKey} devrig\n`);

  await fs.chmod(key, 0o644);
  await fs.rm(key + '.pub');
  const again = await ensureKeyPair(key, 'devrig', key + '.pub');
  assert.equal(again.publicKey, first.publicKey);
  assert.equal((await fs.stat(key)).mode & 0o777, 0o600, 'permissions tightened');
  assert.equal(
    await fs.readFile(key + '.pub', 'utf8'),
    `${first.publicKey} devrig\n`,
    'public half restored',
  );

  // OpenSSH reads the key and agrees on the fingerprint.
  const r = spawnSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', key], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.split(' ')[1], fingerprint(first.blob));
});

test('ensureKeyPair refuses to replace a damaged key', async (t) => {
  const dir = await fs.mkdtemp(join(tmpdir(), 'devrig-keys-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const key = join(dir, 'host_ed25519');
  await fs.writeFile(key, 'not a key\n', { mode: 0o600 });
  await assert.rejects(ensureKeyPair(key, 'x'), /cannot read the SSH key .*host_ed25519/);
  assert.equal(await fs.readFile(key, 'utf8'), 'not a key\n');
});
