import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findCondition, type Environment } from '../../runner/api';
import { BASE_IMAGE, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import {
  addHost,
  clientKey,
  openSsh,
  removeTestHosts,
  startSshHost,
  watchHostUntil,
  type TestHost,
} from '../helpers/sshHosts';
import { watchUntil } from '../helpers/wait';

// A host without Docker: the environment is a folder in the SSH user's home and processes run as
// that user. The "machine" is a container with sshd on 127.0.0.1 and no engine inside.
describe('environments on a plain host (no Docker) over SSH', () => {
  let r: TestRunner;
  let host: TestHost;
  let folder: string;
  const name = 'plainenv';
  const workspace = `/home/vscode/.devrig/workspaces/${name}`;
  const get = async () => (await r.client.call('get', { kind: 'Environment', name })) as Environment;

  before(async () => {
    await requireDocker();
    const key = clientKey();
    host = await startSshHost('plain', key);
    r = await startRunner();
    const h = await addHost(r, 'box', host, key, ['--mode', 'plain']);
    assert.match(h.status.serverInfo ?? '', /plain \(no Docker\)/);
    folder = makeProject(
      {
        image: BASE_IMAGE,
        containerEnv: { FROM_CONFIG: 'yes' },
        postCreateCommand: 'echo "created in $PWD as $(id -un) FROM_CONFIG=$FROM_CONFIG" > created.txt',
        postStartCommand: 'echo started >> started.log',
      },
      { 'hello.txt': 'hello from the laptop\n' },
    );
  });
  after(async () => {
    await cleanupRunner(r);
    await removeTestHosts();
    removeProjects();
  });

  test('up → Ready; the lifecycle command ran in the workspace folder on the host', async () => {
    const res = await r.cli(['up', folder, '--name', name, '--host', 'box']);
    assert.equal(res.code, 0, res.stderr);
    const env = await get();
    assert.equal(env.status.host, 'box');
    assert.equal(env.status.workspaceFolder, workspace);
    assert.equal(env.status.remoteUser, 'vscode');
    const onHost = await host.sh(`cat ${workspace}/created.txt ${workspace}/hello.txt`, 'vscode');
    assert.equal(onHost.out, `created in ${workspace} as vscode FROM_CONFIG=yes\nhello from the laptop\n`);
  });

  test('devrig exec and ssh devrig-<env> land in the workspace folder, as the host user', async () => {
    const ex = await r.cli(['exec', name, '--', 'sh', '-c', 'pwd; id -un; echo $FROM_CONFIG; exit 3']);
    assert.equal(ex.code, 3, ex.stdout + ex.stderr);
    assert.equal(ex.stdout, `${workspace}\nvscode\nyes\n`);
    const ssh = await openSsh(r.stateDir, name, 'pwd; cat hello.txt');
    assert.equal(ssh.code, 0, ssh.stderr);
    assert.equal(ssh.stdout, `${workspace}\nhello from the laptop\n`);
  });

  test('stop ends the environment’s processes; start runs postStart again', async () => {
    // A background process started in the environment belongs to it.
    await r.cli(['exec', name, '--', 'sh', '-c', 'nohup sleep 1000 >/dev/null 2>&1 &']);
    const running = async () => (await host.sh('pgrep -u vscode -f "sleep 1000" || true')).out.trim();
    assert.notEqual(await running(), '');
    const stop = await r.cli(['stop', name]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(await running(), '', 'stop ended it');
    const start = await r.cli(['start', name]);
    assert.equal(start.code, 0, start.stderr);
    const log = await host.sh(`cat ${workspace}/started.log`);
    assert.equal(log.out, 'started\nstarted\n');
  });

  test('a changed host key is refused loudly; nothing runs until it is trusted again', async () => {
    const old = await host.hostKey();
    await host.rotateHostKey();
    const refused = await watchHostUntil(
      r.client,
      'box',
      (h) => findCondition(h.status.conditions, 'HostKeyVerified')?.reason === 'HostKeyMismatch',
      'to refuse the new key',
    );
    assert.equal(refused.status.phase, 'Failed');
    const c = findCondition(refused.status.conditions, 'HostKeyVerified')!;
    assert.equal(c.status, 'False');
    assert.match(
      c.message,
      /^REFUSED: the host key of box changed\. Expected ssh-ed25519 SHA256:\S+, got ssh-ed25519 SHA256:\S+/,
    );
    assert.match(c.message, /devrig host accept-key box/);
    assert.equal(refused.spec.hostKey, old, 'the pinned key was not replaced');
    const env = await watchUntil(
      r.client,
      name,
      (e) => /REFUSED/.test(findCondition(e.status.conditions, 'HostReachable')?.message ?? ''),
      'to show its host refused',
      20_000,
    );
    assert.equal(env.status.phase, 'Unreachable');
    assert.match(
      findCondition(env.status.conditions, 'HostReachable')!.message,
      /REFUSED: the host key of box changed/,
    );
    const ls = await r.cli(['host', 'ls']);
    assert.match(ls.stdout, /box .* plain +Failed .*HostKeyMismatch: REFUSED/);

    // The person checks and trusts the new key: everything comes back.
    const accept = await r.cli(['host', 'accept-key', 'box']);
    assert.equal(accept.code, 0, accept.stderr);
    assert.match(accept.stderr, /WARNING: replacing the trusted key of box/);
    await watchHostUntil(r.client, 'box', (h) => h.status.phase === 'Ready', 'to be Ready again');
    await watchUntil(r.client, name, (e) => e.status.phase === 'Running', 'to be Running again', 30_000);
  });

  test('delete removes the workspace folder and devrig’s records on the host', async () => {
    const res = await r.cli(['delete', name]);
    assert.equal(res.code, 0, res.stderr);
    const left = await host.sh(
      `ls -A /home/vscode/.devrig/workspaces /home/vscode/.devrig/containers /home/vscode/.devrig/volumes`,
    );
    assert.doesNotMatch(left.out, /plainenv/);
    assert.equal((await host.sh(`test -e ${workspace}`)).code, 1);
  });
});
