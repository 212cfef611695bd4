import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findCondition, type Environment } from '../../runner/api';
import { BASE_IMAGE, docker, inspect, requireDocker } from '../helpers/docker';
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
import { readFileSync } from 'node:fs';
import { statePaths } from '../../runner/state/stateDir';

// A "remote VM" whose Docker engine the runner reaches only through sshd (the engine's socket
// over one SSH connection): a container with sshd on 127.0.0.1, the engine's socket inside it.
describe('environments on a remote Docker engine over SSH', () => {
  let r: TestRunner;
  let host: TestHost;
  let folder: string;
  const name = 'remote';
  const get = async () => (await r.client.call('get', { kind: 'Environment', name })) as Environment;

  before(async () => {
    await requireDocker();
    const key = clientKey();
    host = await startSshHost('dock', key, { dockerSocket: true });
    r = await startRunner();
    const h = await addHost(r, 'dock', host, key);
    assert.match(h.status.serverInfo ?? '', /OpenSSH.*Docker/);
    folder = makeProject(
      {
        image: BASE_IMAGE,
        remoteUser: 'vscode',
        postCreateCommand: 'echo created-on-$(hostname) > created.txt',
        postStartCommand: 'echo started >> "$HOME/started.log"',
      },
      { 'hello.txt': 'hello from the laptop\n' },
    );
  });
  after(async () => {
    await cleanupRunner(r);
    await removeTestHosts();
    removeProjects();
  });

  test('up → Ready on the host; the folder was uploaded; exec and ssh devrig-<env> land in it', async () => {
    const res = await r.cli(['up', folder, '--name', name, '--host', 'dock']);
    assert.equal(res.code, 0, res.stderr);
    const env = await get();
    assert.equal(env.status.host, 'dock');
    const scheduled = findCondition(env.status.conditions, 'Scheduled')!;
    assert.equal(scheduled.status, 'True');
    assert.match(scheduled.message, /placed on host dock because spec\.host names it/);
    assert.match(findCondition(env.status.conditions, 'HostReachable')!.message, /on dock$/);
    // No bind mount of the laptop's folder: a devrig volume, with the runner's labels.
    const c = await inspect(env.status.containerId!);
    const runnerId = readFileSync(statePaths(r.stateDir).runnerId, 'utf8').trim();
    assert.equal(c.Config.Labels['devrig.runner'], runnerId);
    assert.equal(c.Config.Labels['devrig.uid'], env.metadata.uid);
    assert.deepEqual(
      c.Mounts.map((m) => m.Type),
      ['volume'],
    );
    const cat = await r.cli(['exec', name, '--', 'sh', '-c', 'pwd; cat hello.txt created.txt']);
    assert.equal(cat.code, 0, cat.stderr);
    assert.equal(cat.stdout, `${env.status.workspaceFolder}\nhello from the laptop\ncreated-on-${name}\n`);
    const ssh = await openSsh(r.stateDir, name, 'pwd; id -un; cat hello.txt');
    assert.equal(ssh.code, 0, ssh.stderr);
    assert.equal(ssh.stdout, `${env.status.workspaceFolder}\nvscode\nhello from the laptop\n`);
  });

  test('stop and start', async () => {
    const id = (await get()).status.containerId!;
    const stop = await r.cli(['stop', name]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal((await inspect(id)).State.Running, false);
    const start = await r.cli(['start', name]);
    assert.equal(start.code, 0, start.stderr);
    const env = await get();
    assert.equal(env.status.containerId, id, 'the same container, started again');
    assert.equal((await inspect(id)).State.Running, true);
    const cat = await r.cli(['exec', name, '--', 'cat', 'hello.txt']);
    assert.equal(cat.stdout, 'hello from the laptop\n', 'the workspace survived');
  });

  test('drift: a container removed on the host behind devrig’s back is recreated, the workspace kept', async () => {
    const old = (await get()).status.containerId!;
    await r.cli(['exec', name, '--', 'sh', '-c', 'echo edited-remotely > remote.txt']);
    await docker.getContainer(old).remove({ force: true });
    const back = await watchUntil(
      r.client,
      name,
      (e) => e.status.phase === 'Running' && !!e.status.containerId && e.status.containerId !== old,
      'to be recreated',
      60_000,
    );
    assert.notEqual(back.status.containerId, old);
    const cat = await r.cli(['exec', name, '--', 'cat', 'remote.txt', 'hello.txt']);
    assert.equal(
      cat.stdout,
      'edited-remotely\nhello from the laptop\n',
      'not overwritten by a second upload',
    );
  });

  test('a restarted runner adopts the remote environment without restarting it', async () => {
    const before = await get();
    const id = before.status.containerId!;
    const startedAt = (await inspect(id)).State.StartedAt;
    const starts = async () =>
      (await r.cli(['exec', name, '--', 'sh', '-c', 'wc -l < ~/started.log'])).stdout.trim();
    const n = await starts();
    await r.kill('SIGKILL');
    await r.restart();
    // A spec change that does not touch the container: proof the new runner reconciled it.
    const applied = await r.client.call('apply', {
      resource: { kind: 'Environment', metadata: { name }, spec: { ...before.spec, startOnConnect: true } },
    });
    const env = await watchUntil(
      r.client,
      name,
      (e) => e.status.observedGeneration >= applied.metadata.generation && e.status.phase === 'Running',
      'to be reconciled by the new runner',
      30_000,
    );
    assert.equal(env.status.containerId, id);
    const c = await inspect(id);
    assert.equal(c.State.StartedAt, startedAt);
    assert.equal(c.State.Running, true);
    assert.equal(await starts(), n, 'postStart did not run again');
  });

  test('host lost → HostReachable=False within 15 s, nothing deleted; back → Running, same container', async (t) => {
    const id = (await get()).status.containerId!;
    const startedAt = (await inspect(id)).State.StartedAt;
    const t0 = Date.now();
    await host.pause();
    const lost = await watchUntil(
      r.client,
      name,
      (e) => findCondition(e.status.conditions, 'HostReachable')?.status === 'False',
      'to see its host gone',
      15_000,
    );
    const took = Date.now() - t0;
    assert.equal(lost.status.phase, 'Unreachable');
    assert.match(
      findCondition(lost.status.conditions, 'HostReachable')!.message,
      /host dock is not reachable/,
    );
    assert.equal((await inspect(id)).State.Running, true, 'nothing was touched');
    await host.unpause();
    const back = await watchUntil(
      r.client,
      name,
      (e) =>
        e.status.phase === 'Running' &&
        findCondition(e.status.conditions, 'HostReachable')?.status === 'True',
      'to be back',
      60_000,
    );
    assert.equal(back.status.containerId, id);
    assert.equal((await inspect(id)).State.StartedAt, startedAt);
    const cat = await r.cli(['exec', name, '--', 'cat', 'hello.txt']);
    assert.equal(cat.code, 0, cat.stderr);
    t.diagnostic(`host loss noticed after ${took} ms`);
  });

  test('delete removes the container and the workspace volume on the host', async () => {
    const env = await get();
    const res = await r.cli(['delete', name]);
    assert.equal(res.code, 0, res.stderr);
    await assert.rejects(inspect(env.status.containerId!), /no such container/i);
    const vols = await docker.listVolumes({ filters: { label: [`devrig.uid=${env.metadata.uid}`] } });
    assert.equal(vols.Volumes?.length ?? 0, 0);
    const h = await watchHostUntil(
      r.client,
      'dock',
      (x) => x.status.environments.length === 0,
      'to show no environments',
    );
    assert.equal(h.status.phase, 'Ready');
  });

  test('removing the host then closes its connection', async () => {
    const res = await r.cli(['host', 'rm', 'dock']);
    assert.equal(res.code, 0, res.stderr);
    const { items } = await r.client.call('list', { kind: 'Host' });
    assert.equal(items.length, 0);
  });
});
