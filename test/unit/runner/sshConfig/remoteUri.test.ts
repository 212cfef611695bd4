import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  remoteSshAuthority,
  remoteSshOpenArgs,
  remoteSshUri,
  sshHostAlias,
} from '../../../../runner/sshConfig/remoteUri';

test('sshHostAlias is devrig-<env> and rejects invalid names', () => {
  assert.equal(sshHostAlias('api'), 'devrig-api');
  assert.equal(sshHostAlias('my-env-2'), 'devrig-my-env-2');
  for (const bad of ['', 'API', 'a_b', '-a', 'a-', 'a.b', 'a b', 'x'.repeat(41), '../x']) {
    assert.throws(() => sshHostAlias(bad), /invalid environment name/, bad);
  }
});

test('remoteSshAuthority uses the plain ssh-remote+<alias> form (never hex-encoded JSON)', () => {
  for (const name of ['a', 'api', 'my-env-2', '0', 'x'.repeat(40)]) {
    const authority = remoteSshAuthority(name);
    assert.equal(authority, `ssh-remote+devrig-${name}`);
    assert.match(authority, /^ssh-remote\+[a-z0-9-]+$/);
  }
});

test('remoteSshUri encodes path segments and normalises slashes', () => {
  const cases: [string, string][] = [
    ['/workspaces/app', 'vscode-remote://ssh-remote+devrig-api/workspaces/app'],
    ['/workspaces/app/', 'vscode-remote://ssh-remote+devrig-api/workspaces/app'],
    ['//workspaces///app', 'vscode-remote://ssh-remote+devrig-api/workspaces/app'],
    ['/workspaces/./x/../app', 'vscode-remote://ssh-remote+devrig-api/workspaces/app'],
    ['/', 'vscode-remote://ssh-remote+devrig-api/'],
    ['/workspaces/my app', 'vscode-remote://ssh-remote+devrig-api/workspaces/my%20app'],
    ['/w/a#b?c%d', 'vscode-remote://ssh-remote+devrig-api/w/a%23b%3Fc%25d'],
    ["/w/(x)!*'", 'vscode-remote://ssh-remote+devrig-api/w/%28x%29%21%2A%27'],
    ['/w/café', 'vscode-remote://ssh-remote+devrig-api/w/caf%C3%A9'],
    ['/w/a-b_c.d~e', 'vscode-remote://ssh-remote+devrig-api/w/a-b_c.d~e'],
  ];
  for (const [folder, expected] of cases) {
    const uri = remoteSshUri('api', folder);
    assert.equal(uri, expected, folder);
    const parsed = new URL(uri);
    assert.equal(parsed.protocol, 'vscode-remote:');
    assert.equal(parsed.host, 'ssh-remote+devrig-api');
    assert.equal(parsed.search, '');
    assert.equal(parsed.hash, '');
    assert.ok(!parsed.pathname.includes('//'));
  }
  assert.equal(
    decodeURIComponent(new URL(remoteSshUri('api', '/w/a#b?c%d/my app')).pathname),
    '/w/a#b?c%d/my app',
  );
});

test('remoteSshUri rejects relative folders and invalid names', () => {
  assert.throws(() => remoteSshUri('api', 'workspaces/app'), /absolute/);
  assert.throws(() => remoteSshUri('api', '~/app'), /absolute/);
  assert.throws(() => remoteSshUri('api', ''), /absolute/);
  assert.throws(() => remoteSshUri('Bad', '/w'), /invalid environment name/);
});

test('remoteSshOpenArgs describes vscode.openFolder arguments', () => {
  assert.deepEqual(remoteSshOpenArgs('api', '/workspaces/app', true), {
    uri: 'vscode-remote://ssh-remote+devrig-api/workspaces/app',
    options: { forceNewWindow: true },
  });
  assert.deepEqual(remoteSshOpenArgs('api', '/workspaces/app', false).options, { forceNewWindow: false });
});
