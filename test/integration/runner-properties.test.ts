// waitFor, userEnvProbe and updateRemoteUserUID applied by a real runner on real Docker (the
// library parts are tested in properties.test.ts): what a user sees through `devrig up` and exec.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Environment } from '../../runner/api';
import { BASE_IMAGE, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { waitForPhase, watchUntil } from '../helpers/wait';

const background = (e: Environment) =>
  e.status.conditions.find((c) => c.type === 'BackgroundCommandsComplete');

describe('waitFor, userEnvProbe and updateRemoteUserUID through the runner', () => {
  let r: TestRunner;
  before(async () => {
    await requireDocker();
    r = await startRunner();
  });
  after(async () => {
    await cleanupRunner(r);
    removeProjects();
  });

  const exec = async (name: string, cmd: string, user?: string) => {
    const res = await r.cli(['exec', name, ...(user ? ['-u', user] : []), '--', 'sh', '-c', cmd]);
    assert.equal(res.code, 0, `${cmd}: ${res.stderr}`);
    return res.stdout.trim();
  };

  test('waitFor updateContentCommand: Ready before a slow postCreate, which goes on and reports on its own', async () => {
    const folder = makeProject({
      image: BASE_IMAGE,
      remoteUser: 'vscode',
      waitFor: 'updateContentCommand',
      updateContentCommand: 'echo content > /tmp/update-content',
      // Blocks until the test lets it go: Ready must come while it is still running.
      postCreateCommand: 'while [ ! -e /tmp/go ]; do sleep 0.1; done; echo done > /tmp/post-create-done',
    });
    const res = await r.cli(['up', folder, '--name', 'waitfor']);
    assert.equal(res.code, 0, res.stderr);
    const ready = await waitForPhase(r.client, 'waitfor', 'Running');
    assert.equal(
      await exec('waitfor', 'cat /tmp/update-content'),
      'content',
      'hooks up to waitFor ran before Ready',
    );
    const running = await watchUntil(
      r.client,
      'waitfor',
      (e) => background(e)?.reason === 'Running',
      'postCreate in the background',
    );
    assert.equal(background(running)?.status, 'False');
    assert.match(background(running)!.message, /postCreateCommand/);
    assert.equal(ready.status.conditions.find((c) => c.type === 'Ready')?.status, 'True');
    assert.equal(await exec('waitfor', 'cat /tmp/post-create-done 2>/dev/null || echo not-yet'), 'not-yet');
    await exec('waitfor', 'touch /tmp/go');
    const done = await watchUntil(
      r.client,
      'waitfor',
      (e) => background(e)?.status === 'True',
      'postCreate to finish',
    );
    assert.equal(done.status.phase, 'Running');
    assert.equal(await exec('waitfor', 'cat /tmp/post-create-done'), 'done');
  });

  test('a failing hook after waitFor shows in its own condition and does not take Ready away', async () => {
    const folder = makeProject({
      image: BASE_IMAGE,
      waitFor: 'onCreateCommand',
      onCreateCommand: 'true',
      postCreateCommand: 'echo failing on purpose; exit 3',
    });
    const res = await r.cli(['up', folder, '--name', 'waitfor-fail']);
    assert.equal(res.code, 0, res.stderr);
    const failed = await watchUntil(
      r.client,
      'waitfor-fail',
      (e) => background(e)?.reason === 'PostCreateCommandFailed',
      'the background failure to be reported',
    );
    assert.equal(failed.status.phase, 'Running');
    assert.equal(failed.status.conditions.find((c) => c.type === 'Ready')?.status, 'True');
    assert.match(background(failed)!.message, /postCreateCommand/);
  });

  test("userEnvProbe (default loginInteractiveShell): a variable from the user's login profile is seen by exec and hooks", async () => {
    const folder = makeProject(
      {
        build: { dockerfile: 'Dockerfile' },
        remoteUser: 'vscode',
        postCreateCommand: 'echo "$FROM_PROFILE" > /tmp/hook-saw',
      },
      {
        '.devcontainer/Dockerfile': `FROM ${BASE_IMAGE}\nRUN echo 'export FROM_PROFILE=profile-value' > /etc/profile.d/devrig-test.sh\n`,
      },
    );
    const res = await r.cli(['up', folder, '--name', 'probe']);
    assert.equal(res.code, 0, res.stderr);
    await waitForPhase(r.client, 'probe', 'Running');
    assert.equal(await exec('probe', 'echo "$FROM_PROFILE"'), 'profile-value');
    // Without waitFor, Ready (and `devrig up`) came after every hook, as with `devcontainer up`.
    assert.equal(background(await waitForPhase(r.client, 'probe', 'Running')), undefined);
    assert.equal(await exec('probe', 'cat /tmp/hook-saw'), 'profile-value');
    // userEnvProbe none: the profile is not read.
    const none = makeProject(
      { build: { dockerfile: 'Dockerfile' }, remoteUser: 'vscode', userEnvProbe: 'none' },
      {
        '.devcontainer/Dockerfile': `FROM ${BASE_IMAGE}\nRUN echo 'export FROM_PROFILE=profile-value' > /etc/profile.d/devrig-test.sh\n`,
      },
    );
    assert.equal((await r.cli(['up', none, '--name', 'probe-none'])).code, 0);
    assert.equal(await exec('probe-none', 'echo "[$FROM_PROFILE]"'), '[]');
  });

  test("updateRemoteUserUID (default true): files the user creates in the bind-mounted folder are the folder owner's", async () => {
    const folder = makeProject({ image: BASE_IMAGE, remoteUser: 'vscode' });
    chownSync(folder, 1234, 2345);
    chmodSync(folder, 0o755);
    const res = await r.cli(['up', folder, '--name', 'uid']);
    assert.equal(res.code, 0, res.stderr);
    await waitForPhase(r.client, 'uid', 'Running');
    assert.equal(await exec('uid', 'id -u; id -g'), '1234\n2345');
    await exec('uid', 'touch made-inside');
    const made = statSync(join(folder, 'made-inside'));
    assert.deepEqual([made.uid, made.gid], [1234, 2345]);
    // updateRemoteUserUID false: the image's UID stays.
    const kept = makeProject({ image: BASE_IMAGE, remoteUser: 'vscode', updateRemoteUserUID: false });
    chownSync(kept, 1234, 2345);
    assert.equal((await r.cli(['up', kept, '--name', 'uid-kept'])).code, 0);
    assert.equal(await exec('uid-kept', 'id -u'), '1000');
  });
});
