// waitFor, userEnvProbe, updateRemoteUserUID and remoteEnv: the pure decisions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBlocking, splitAtWaitFor } from '../../../../../runner/reconcile/environment/waitFor';
import { sessionEnv } from '../../../../../runner/reconcile/environment/remoteEnv';
import {
  loginShellOf,
  mergePaths,
  parseProbeOutput,
  probeCommand,
} from '../../../../../runner/reconcile/environment/userEnvProbe';
import {
  decideUidUpdate,
  uidImageTag,
  type UidUpdateInput,
} from '../../../../../runner/reconcile/environment/remoteUserUid';

test('waitFor splits the hooks: Ready waits up to it, the rest goes on in the background', () => {
  assert.deepEqual(splitAtWaitFor(undefined), {
    blocking: ['onCreateCommand', 'updateContentCommand'],
    background: ['postCreateCommand', 'postStartCommand'],
  });
  assert.deepEqual(splitAtWaitFor('postStartCommand'), {
    blocking: ['onCreateCommand', 'updateContentCommand', 'postCreateCommand', 'postStartCommand'],
    background: [],
  });
  assert.deepEqual(splitAtWaitFor('initializeCommand'), {
    blocking: [],
    background: ['onCreateCommand', 'updateContentCommand', 'postCreateCommand', 'postStartCommand'],
  });
  assert.deepEqual(splitAtWaitFor('onCreateCommand').blocking, ['onCreateCommand']);
  assert.equal(isBlocking('initializeCommand', 'onCreateCommand'), true);
  assert.equal(isBlocking('postCreateCommand', undefined), false);
  assert.equal(isBlocking('postCreateCommand', 'postCreateCommand'), true);
  assert.equal(isBlocking('postAttachCommand', 'postStartCommand'), false);
});

test('remoteEnv over the probed environment, ${containerEnv:…} from the container, unset removed', () => {
  const env = sessionEnv({
    probed: { PATH: '/home/u/bin:/usr/bin', FROM_PROFILE: '1', NPM_TOKEN: 'x', EDITOR: 'vi' },
    remoteEnv: {
      PATH: '${containerEnv:PATH}:/work/bin',
      GREETING: 'hi ${containerEnv:MISSING:there}',
      KEEP: '${localEnv:HOME}',
      EDITOR: 'code',
    },
    remoteEnvUnset: ['NPM_TOKEN'],
    containerEnv: { PATH: '/usr/local/bin:/usr/bin' },
  });
  assert.deepEqual(env, {
    PATH: '/usr/local/bin:/usr/bin:/work/bin',
    FROM_PROFILE: '1',
    EDITOR: 'code',
    GREETING: 'hi there',
    // Substituted when the config was resolved; what is left of it is not touched here.
    KEEP: '${localEnv:HOME}',
  });
});

test('the probe command runs the user shell as asked, between markers', () => {
  assert.deepEqual(probeCommand('loginInteractiveShell', '/bin/bash', 'M')[1], '-lic');
  assert.deepEqual(probeCommand('loginShell', '/bin/zsh', 'M').slice(0, 2), ['/bin/zsh', '-lc']);
  assert.deepEqual(probeCommand('interactiveShell', '/bin/sh', 'M')[1], '-ic');
  assert.match(
    probeCommand('loginShell', '/bin/sh', 'M')[2]!,
    /^printf %s M; cat \/proc\/self\/environ .*printf %s M$/,
  );
});

test('probe output: NUL-separated or one per line, banners ignored, noise dropped', () => {
  const environ = 'Welcome banner\nMARK' + ['A=1', 'PWD=/x', 'B=x=y', 'SHLVL=2', ''].join('\0') + 'MARKbye';
  assert.deepEqual(parseProbeOutput(environ, 'MARK'), { A: '1', B: 'x=y' });
  assert.deepEqual(parseProbeOutput('MARKA=1\nB=2\nMARK', 'MARK'), { A: '1', B: '2' });
  assert.equal(parseProbeOutput('no markers', 'MARK'), undefined);
});

test("the container's PATH entries a profile dropped are put back in the container's order; sbin only for root", () => {
  assert.equal(
    mergePaths('/home/u/bin:/usr/bin', '/usr/local/sbin:/usr/local/bin:/usr/bin:/bin', false),
    '/usr/local/bin:/home/u/bin:/usr/bin:/bin',
  );
  assert.equal(mergePaths('/usr/bin', '/usr/local/sbin:/usr/bin', true), '/usr/local/sbin:/usr/bin');
});

test('the login shell is read from /etc/passwd by name or uid', () => {
  const passwd =
    'root:x:0:0:root:/root:/bin/bash\nvscode:x:1000:1000::/home/vscode:/usr/bin/zsh\nnologin:x:9:9::/:';
  assert.equal(loginShellOf(passwd, 'vscode'), '/usr/bin/zsh');
  assert.equal(loginShellOf(passwd, '1000'), '/usr/bin/zsh');
  assert.equal(loginShellOf(passwd, 'nologin'), undefined);
  assert.equal(loginShellOf(passwd, 'ghost'), undefined);
});

test('updateRemoteUserUID: only for a named non-root user, a bind-mounted folder, a local Linux engine', () => {
  const base: UidUpdateInput = {
    setting: undefined,
    localLinuxEngine: true,
    workspaceBound: true,
    remoteUser: 'vscode',
    imageUser: '',
    folderOwner: { uid: 1234, gid: 2345 },
  };
  assert.deepEqual(decideUidUpdate(base), { remoteUser: 'vscode', uid: 1234, gid: 2345, imageUser: 'root' });
  assert.deepEqual(decideUidUpdate({ ...base, remoteUser: 'node:node', imageUser: 'node' }), {
    remoteUser: 'node',
    uid: 1234,
    gid: 2345,
    imageUser: 'node',
  });
  for (const [over, why] of [
    [{ setting: false }, 'turned off'],
    [{ localLinuxEngine: false }, 'remote or not Linux'],
    [{ workspaceBound: false }, 'a volume workspace'],
    [{ remoteUser: 'root' }, 'root'],
    [{ remoteUser: '1000' }, 'numeric'],
    [{ folderOwner: { uid: 0, gid: 0 } }, 'folder owned by root'],
  ] as const) {
    assert.equal(decideUidUpdate({ ...base, ...over }), undefined, why);
  }
  const update = decideUidUpdate(base)!;
  assert.equal(uidImageTag({ id: 'sha256:a' }, update), uidImageTag({ id: 'sha256:a' }, { ...update }));
  assert.notEqual(uidImageTag({ id: 'sha256:a' }, update), uidImageTag({ id: 'sha256:b' }, update));
  assert.match(uidImageTag({ id: 'sha256:a' }, update), /^devrig\/uid:[0-9a-f]{16}$/);
});
