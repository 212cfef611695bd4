import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utils } from 'ssh2';
import {
  checkHostKey,
  hostKeyAlgorithms,
  hostKeyFromBlob,
  hostKeyLine,
  parseHostKeyLine,
} from '../../../../../runner/providers/ssh/hostKey';
import { fingerprint } from '../../../../../runner/sshConfig/sshKeyFormat';
import { parsePublicKeyLine } from '../../../../../runner/sshConfig/authorizedKeys';
import { HOST_KEY_PATTERN } from '../../../../../runner/api';

function newKey(type: 'ed25519' | 'ecdsa' = 'ed25519') {
  const pair =
    type === 'ed25519'
      ? utils.generateKeyPairSync('ed25519')
      : utils.generateKeyPairSync('ecdsa', { bits: 256 });
  const line = pair.public.split(' ').slice(0, 2).join(' ');
  return { line, key: parseHostKeyLine(line)! };
}

test('host key lines: parsed, the blob names the same algorithm, comments ignored', () => {
  const { line, key } = newKey();
  assert.equal(key.type, 'ssh-ed25519');
  assert.equal(hostKeyLine(key), line);
  assert.deepEqual(parseHostKeyLine(`${line} root@box`), key);
  assert.ok(HOST_KEY_PATTERN.test(`${line} root@box`));
  // A line whose name does not match its blob is not a key.
  assert.equal(parseHostKeyLine(line.replace('ssh-ed25519', 'ssh-rsa')), undefined);
  assert.equal(parseHostKeyLine('ssh-ed25519 not*base64'), undefined);
  assert.equal(parseHostKeyLine(''), undefined);
});

test('fingerprints are OpenSSH SHA256 ones', () => {
  const { key } = newKey();
  assert.match(fingerprint(key.blob), /^SHA256:[A-Za-z0-9+/]{43}$/);
  assert.equal(fingerprint(hostKeyFromBlob(key.blob).blob), fingerprint(key.blob));
});

test('host key lines and authorized_keys lines are read by the same parser', () => {
  for (const type of ['ed25519', 'ecdsa'] as const) {
    const { line, key } = newKey(type);
    const authorized = parsePublicKeyLine(`${line} me@laptop`);
    assert.ok(!('error' in authorized));
    assert.equal(authorized.type, key.type);
    assert.ok(authorized.blob.equals(key.blob));
    assert.equal(authorized.comment, 'me@laptop');
  }
});

const a = newKey();
const b = newKey();
const e = newKey('ecdsa');
const cases: [
  string,
  string | undefined,
  typeof a.key,
  'accept' | 'AwaitingAcceptance' | 'HostKeyMismatch',
][] = [
  ['nothing pinned: never trusted on its own, waits for a person', undefined, a.key, 'AwaitingAcceptance'],
  ['the pinned key: accepted', a.line, a.key, 'accept'],
  ['the pinned key with a comment: accepted', `${a.line} root@box`, a.key, 'accept'],
  ['another key of the same type: refused', a.line, b.key, 'HostKeyMismatch'],
  ['a key of another type: refused', a.line, e.key, 'HostKeyMismatch'],
  ['an unreadable pinned key: refused', 'ssh-ed25519 AAAA', a.key, 'HostKeyMismatch'],
];
for (const [name, pinned, presented, want] of cases) {
  test(`host key policy: ${name}`, () => {
    const d = checkHostKey('box', pinned, presented);
    if (want === 'accept') return assert.equal(d.accept, true);
    assert.equal(d.accept, false);
    assert.equal(!d.accept && d.reason, want);
  });
}

test('a changed key is refused loudly, with both fingerprints and what to do', () => {
  const d = checkHostKey('box', a.line, b.key);
  assert.equal(d.accept, false);
  if (d.accept) return;
  assert.match(d.message, /^REFUSED: the host key of box changed/);
  assert.ok(d.message.includes(fingerprint(a.key.blob)), 'expected fingerprint');
  assert.ok(d.message.includes(fingerprint(b.key.blob)), 'presented fingerprint');
  assert.match(d.message, /devrig host accept-key box/);
});

test('first use names the key and the command that trusts it', () => {
  const d = checkHostKey('box', undefined, a.key);
  assert.equal(d.accept, false);
  if (d.accept) return;
  assert.ok(d.message.includes(fingerprint(a.key.blob)));
  assert.match(d.message, /devrig host accept-key box/);
});

test('offered host key algorithms follow the pinned key', () => {
  assert.equal(hostKeyAlgorithms(undefined), undefined);
  assert.deepEqual(hostKeyAlgorithms(a.line), ['ssh-ed25519']);
  assert.deepEqual(hostKeyAlgorithms(e.line), ['ecdsa-sha2-nistp256']);
  assert.deepEqual(hostKeyAlgorithms('ssh-rsa AAAAB3'), ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
});
