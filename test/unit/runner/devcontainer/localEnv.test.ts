import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResourceApply } from '../../../../runner/api';
import { captureLocalEnv, withLocalEnv } from '../../../../runner/client/captureLocalEnv';
import { localEnvFor, localEnvReferences, pickLocalEnv } from '../../../../runner/devcontainer/localEnv';
import { substituteString } from '../../../../runner/devcontainer/substitute';
import {
  looksSecret,
  redactLocalEnvSecrets,
  secretLookingValues,
} from '../../../../runner/secrets/localEnvSecrets';
import { SecretStore } from '../../../../runner/secrets/secretStore';
import { ResourceStore } from '../../../../runner/store/resourceStore';

const references: [string, unknown, string[]][] = [
  [
    'plain, with a default, and the older env: form',
    ['${localEnv:A}', '${localEnv:B:x:y}', '${env:C}'],
    ['A', 'B', 'C'],
  ],
  [
    'inside longer strings, twice in one',
    { mounts: ['source=${localEnv:HOME}/.ssh,target=${localEnv:HOME}'] },
    ['HOME'],
  ],
  [
    'values only, not keys',
    { '${localEnv:KEY_NAME}': 'x', nested: { deep: [{ v: '${localEnv:DEEP}' }] } },
    ['DEEP'],
  ],
  [
    'not other variables, not an empty name',
    ['${containerEnv:PATH}', '${localWorkspaceFolder}', '${localEnv:}'],
    [],
  ],
  ['numbers and booleans are skipped', { forwardPorts: [3000], init: true, x: null }, []],
];
for (const [what, config, want] of references) {
  test(`localEnvReferences: ${what}`, () => assert.deepEqual(localEnvReferences(config), want));
}

test('pickLocalEnv keeps set values (even empty) and leaves unset ones out, so their default applies', () => {
  const picked = pickLocalEnv(['A', 'EMPTY', 'UNSET'], { A: '1', EMPTY: '', OTHER: 'no' });
  assert.deepEqual(picked, { A: '1', EMPTY: '' });
  const ctx = {
    localWorkspaceFolder: '/w',
    devcontainerId: 'id',
    localEnv: localEnvFor({ localEnv: picked }, {}),
  };
  assert.equal(substituteString('${localEnv:A}|${localEnv:EMPTY:d}|${localEnv:UNSET:d}', ctx), '1||d');
});

test('localEnvFor: the captured values only; without any, the runner environment as before', () => {
  const runner = { A: 'runner', B: 'runner' };
  assert.deepEqual(localEnvFor({ localEnv: { A: 'caller' } }, runner), { A: 'caller' });
  assert.equal(localEnvFor({}, runner), runner);
});

test('captureLocalEnv: exactly what the folder config references (JSONC), from the given environment', async (t) => {
  const folder = mkdtempSync(join(tmpdir(), 'devrig-localenv-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  mkdirSync(join(folder, '.devcontainer', 'other'), { recursive: true });
  writeFileSync(
    join(folder, '.devcontainer', 'devcontainer.json'),
    `{
      // "containerEnv": { "OLD": "\${localEnv:COMMENTED_OUT}" },
      "image": "img",
      "containerEnv": { "FOO": "\${localEnv:FOO}", "HOME_TOO": "\${localEnv:HOME}", },
      "remoteEnv": { "U": "\${localEnv:UNSET_HERE:fallback}" },
    }`,
  );
  writeFileSync(
    join(folder, '.devcontainer', 'other', 'devcontainer.json'),
    '{ "image": "${localEnv:TAG}" }',
  );
  const caller = { FOO: 'bar', HOME: '/home/caller', COMMENTED_OUT: 'no', TAG: 't', PATH: '/bin' };
  assert.deepEqual(await captureLocalEnv({ source: { folder } }, caller), {
    FOO: 'bar',
    HOME: '/home/caller',
  });
  assert.deepEqual(
    await captureLocalEnv(
      { source: { folder }, devcontainer: { path: '.devcontainer/other/devcontainer.json' } },
      caller,
    ),
    { TAG: 't' },
  );
  assert.deepEqual(
    await captureLocalEnv(
      { source: { folder }, devcontainer: { config: { image: '${localEnv:PATH}' } } },
      caller,
    ),
    { PATH: '/bin' },
    'an inline config',
  );
  // Nothing to read here: the runner decides (its environment, as before).
  assert.equal(
    await captureLocalEnv({ source: { git: { url: 'https://example.invalid/r.git' } } }, caller),
    undefined,
  );
  assert.equal(await captureLocalEnv({ source: { folder: join(folder, 'missing') } }, caller), undefined);
  const spec = await withLocalEnv({ source: { folder }, state: 'Running' as const }, caller);
  assert.deepEqual(spec, {
    source: { folder },
    state: 'Running',
    localEnv: { FOO: 'bar', HOME: '/home/caller' },
  });
});

test('looksSecret: tokens, passwords, keys and credentials; not paths or names', () => {
  for (const n of [
    'GITHUB_TOKEN',
    'npmToken',
    'DB_PASSWORD',
    'PASSWD',
    'AWS_SECRET_ACCESS_KEY',
    'API_KEY',
    'SSH_KEY',
    'NPM_AUTH',
    'GIT_CREDENTIALS',
    'GPG_PASSPHRASE',
    'PRIVATE_KEY',
  ]) {
    assert.equal(looksSecret(n), true, n);
  }
  for (const n of ['HOME', 'USER', 'PATH', 'PWD', 'NODE_VERSION', 'KEYBOARD_LAYOUT', 'MONKEY', 'AUTHOR']) {
    assert.equal(looksSecret(n), false, n);
  }
  assert.deepEqual(secretLookingValues({ HOME: '/home/me', NPM_TOKEN: 'npm-abcdef', EMPTY_TOKEN: '' }), [
    'npm-abcdef',
  ]);
});

test('secret-looking localEnv values are scrubbed from logs and status while their environment exists', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'devrig-localenv-'));
  const store = await ResourceStore.open(join(dir, 'store'));
  const secrets = await SecretStore.open(join(dir, 'secrets.json'));
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const apply = (localEnv: Record<string, string>) =>
    store.apply(
      ResourceApply.parse({
        kind: 'Environment',
        metadata: { name: 'web' },
        spec: { source: { folder: '/src' }, localEnv },
      }),
    );
  await apply({ NPM_TOKEN: 'npm-secret-1', HOME: '/home/me' });
  const stop = redactLocalEnvSecrets(store, secrets);
  t.after(stop);
  assert.equal(secrets.redact('npm login npm-secret-1 in /home/me'), 'npm login *** in /home/me');
  await apply({ NPM_TOKEN: 'npm-secret-2', HOME: '/home/me' });
  assert.equal(
    secrets.redact('npm-secret-1 npm-secret-2'),
    'npm-secret-1 ***',
    'the replaced value is no longer one',
  );
  await store.delete('Environment', 'web');
  assert.equal(secrets.redact('npm-secret-2'), 'npm-secret-2');
});
