import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isApiError } from '../../../../runner/api';
import { redactor } from '../../../../runner/secrets/redact';
import { SecretStore } from '../../../../runner/secrets/secretStore';

const redaction: [string, string[], string, string][] = [
  ['a value anywhere in a line', ['hunter22'], 'token=hunter22; again hunter22', 'token=***; again ***'],
  ['nothing to hide', [], 'plain text', 'plain text'],
  ['short values are left alone', ['on', 'abc'], 'on abc', 'on abc'],
  ['the longest match wins', ['abcd', 'abcdefgh'], 'abcdefgh abcd', '*** ***'],
  ['regex characters are literal', ['a.b*c+d'], 'a.b*c+d axbbbcd', '*** axbbbcd'],
  ['each line of a multi-line value', ['first-line\nsecond-line'], 'got second-line', 'got ***'],
];
for (const [what, values, text, want] of redaction) {
  test(`redactor: ${what}`, () => assert.equal(redactor(values)(text), want));
}

test('SecretStore: 0600 file, names only in lists, environment values win, redaction follows changes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'devrig-secrets-'));
  try {
    const path = join(dir, 'secrets.json');
    const s = await SecretStore.open(path);
    await s.set('TOKEN', 'user-token-value');
    await s.set('TOKEN', 'env-token-value', 'web');
    await s.set('DB', 'db-password', 'web');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(s.list(), [
      { name: 'TOKEN' },
      { name: 'DB', environment: 'web' },
      { name: 'TOKEN', environment: 'web' },
    ]);
    assert.deepEqual(s.list('other'), [{ name: 'TOKEN' }]);
    assert.deepEqual(s.valuesFor('web'), { TOKEN: 'env-token-value', DB: 'db-password' });
    assert.deepEqual(s.valuesFor('other'), { TOKEN: 'user-token-value' });
    assert.equal(s.redact('a db-password b user-token-value'), 'a *** b ***');

    const reopened = await SecretStore.open(path);
    assert.deepEqual(reopened.valuesFor('web'), s.valuesFor('web'));
    await s.delete('DB', 'web');
    assert.equal(s.redact('db-password'), 'db-password', 'a deleted value is no longer a secret');
    await assert.rejects(
      s.delete('DB', 'web'),
      (e) => isApiError(e, 'NotFound') && !/password/.test(String(e)),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SecretStore: a damaged file is refused without echoing its content', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'devrig-secrets-'));
  try {
    const path = join(dir, 'secrets.json');
    writeFileSync(path, '{"version": 1, "user": {"X": 42-very-secret');
    await assert.rejects(SecretStore.open(path), (e: Error) => !e.message.includes('very-secret'));
    assert.ok(readFileSync(path, 'utf8').includes('very-secret'), 'left as it was');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
