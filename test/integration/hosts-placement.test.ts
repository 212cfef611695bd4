import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findCondition, type Environment } from '../../runner/api';
import { BASE_IMAGE, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { addHost, clientKey, removeTestHosts, startSshHost, watchHostUntil } from '../helpers/sshHosts';
import { waitFor, waitForPhase, watchUntil } from '../helpers/wait';

// Placement across hosts: two plain hosts (cheap: no containers) with room for one environment each.
describe('placing environments on hosts with capacity', () => {
  let r: TestRunner;
  let folder: string;

  before(async () => {
    await requireDocker();
    const key = clientKey();
    const [a, b] = await Promise.all([startSshHost('pa', key), startSshHost('pb', key)]);
    r = await startRunner();
    for (const [name, h] of [
      ['pa', a!],
      ['pb', b!],
    ] as const) {
      await addHost(r, name, h, key, ['--mode', 'plain', '--max-environments', '1', '--label', 'pool=test']);
    }
    folder = makeProject({ image: BASE_IMAGE, postCreateCommand: 'true' });
  });
  after(async () => {
    await cleanupRunner(r);
    await removeTestHosts();
    removeProjects();
  });

  const apply = (name: string) =>
    r.client.call('apply', {
      resource: {
        kind: 'Environment',
        metadata: { name },
        spec: { source: { folder }, hostSelector: { pool: 'test' } },
      },
    });

  test('three environments on two hosts of one slot: two placed, one waits until room frees up', async () => {
    for (const n of ['e1', 'e2', 'e3']) await apply(n);
    const settled = (e: Environment) =>
      e.status.phase === 'Running' || findCondition(e.status.conditions, 'Scheduled')?.status === 'False';
    const envs = await Promise.all(
      ['e1', 'e2', 'e3'].map((n) => watchUntil(r.client, n, settled, 'to settle', 60_000)),
    );
    const placed = envs.filter((e) => e.status.phase === 'Running');
    const waiting = envs.filter((e) => e.status.phase !== 'Running');
    assert.equal(placed.length, 2, 'two placed');
    assert.deepEqual(placed.map((e) => e.status.host).sort(), ['pa', 'pb'], 'one on each host');
    for (const e of placed) {
      assert.match(
        findCondition(e.status.conditions, 'Scheduled')!.message,
        /matches pool=test and has the most room \(1 of 1 slots free\)/,
      );
    }
    assert.equal(waiting.length, 1);
    const w = waiting[0]!;
    assert.equal(w.status.phase, 'Pending');
    assert.equal(w.status.host, undefined);
    const cond = findCondition(w.status.conditions, 'Scheduled')!;
    assert.equal(cond.reason, 'Unschedulable');
    assert.match(
      cond.message,
      /no reachable host with capacity matches pool=test: pa is full \(1\/1 environments\); pb is full \(1\/1 environments\)/,
    );
    const hosts = await r.cli(['host', 'ls']);
    assert.match(hosts.stdout, /pa .* plain +Ready +1 +0 /);

    // Room frees up: the waiting one is placed where it freed.
    const freed = placed[0]!;
    const del = await r.cli(['delete', freed.metadata.name]);
    assert.equal(del.code, 0, del.stderr);
    const now = await waitForPhase(r.client, w.metadata.name, 'Running', 60_000);
    assert.equal(now.status.host, freed.status.host);
    assert.equal(findCondition(now.status.conditions, 'Scheduled')!.status, 'True');
  });

  test('a host with environments is removed only after they are', async () => {
    const { items } = await r.client.call('list', { kind: 'Environment' });
    const onA = items
      .filter((e) => e.kind === 'Environment' && e.status.host === 'pa')
      .map((e) => e.metadata.name);
    assert.equal(onA.length, 1);
    const rm = await r.cli(['host', 'rm', 'pa', '--no-wait']);
    assert.equal(rm.code, 0, rm.stderr);
    const draining = await watchHostUntil(
      r.client,
      'pa',
      (h) => findCondition(h.status.conditions, 'Ready')?.reason === 'Draining',
      'to wait for its environments',
    );
    assert.match(
      findCondition(draining.status.conditions, 'Ready')!.message,
      new RegExp(`devrig delete ${onA[0]}`),
    );
    const del = await r.cli(['delete', onA[0]!]);
    assert.equal(del.code, 0, del.stderr);
    await waitFor('host pa to be removed', async () => {
      const { items: hosts } = await r.client.call('list', { kind: 'Host' });
      return !hosts.some((h) => h.metadata.name === 'pa');
    });
  });
});
