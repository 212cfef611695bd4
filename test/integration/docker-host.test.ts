import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_IMAGE, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects, tempDir } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { waitForPhase, watchUntil } from '../helpers/wait';

describe('the engine is the one DOCKER_HOST names, as for the docker CLI', () => {
  const runners: TestRunner[] = [];
  after(async () => {
    for (const r of runners) await cleanupRunner(r);
    removeProjects();
  });

  test('DOCKER_HOST pointing at the engine through another path: works', async () => {
    await requireDocker();
    const link = join(tempDir(), 'engine.sock');
    symlinkSync('/var/run/docker.sock', link);
    const r = await startRunner({ env: { DOCKER_HOST: `unix://${link}` } });
    runners.push(r);
    const folder = makeProject({ image: BASE_IMAGE });
    const res = await r.cli(['up', folder, '--name', 'viahost']);
    assert.equal(res.code, 0, res.stderr);
    const env = await waitForPhase(r.client, 'viahost', 'Running');
    const host = env.status.conditions.find((c) => c.type === 'HostReachable');
    assert.equal(host?.status, 'True');
  });

  test('DOCKER_HOST naming an engine that is not there: the environment says so; the runner stays up', async () => {
    const r = await startRunner({ env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' } });
    runners.push(r);
    const folder = makeProject({ image: BASE_IMAGE });
    await r.client.call('apply', {
      resource: { kind: 'Environment', metadata: { name: 'noengine' }, spec: { source: { folder } } },
    });
    const env = await watchUntil(
      r.client,
      'noengine',
      (e) => e.status.phase === 'Unreachable',
      'to be Unreachable',
      30_000,
    );
    const c = env.status.conditions.find((x) => x.type === 'HostReachable')!;
    assert.equal(c.reason, 'EngineUnreachable');
    assert.match(c.message, /cannot reach the Docker engine: .*\/nonexistent\/docker\.sock/);
    const { items } = await r.client.call('list', { kind: 'Environment' });
    assert.equal(items.length, 1);
  });
});
