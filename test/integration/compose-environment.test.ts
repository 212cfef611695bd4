// A Docker Compose environment through a real runner, the real Compose v2 CLI and Docker (issue 14's
// acceptance scenario): three services in two compose files, db reachable from postCreate, runServices,
// stop/start, adoption after kill -9, drift repair, delete. Only what this file creates is touched.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Environment } from '../../runner/api';
import { composeDownProject, copyComposeFixture, run } from '../helpers/compose';
import { docker, requireDocker } from '../helpers/docker';
import { removeProjects } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { waitFor, waitForDeleted, waitForPhase, watchUntil } from '../helpers/wait';

const NAME = 'compose3';

/** The project's containers by service: id, state and StartedAt, straight from the engine. */
async function containers(
  project: string,
): Promise<Record<string, { id: string; state: string; startedAt: string }>> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${project}`] },
  });
  const out: Record<string, { id: string; state: string; startedAt: string }> = {};
  for (const c of list) {
    const info = await docker.getContainer(c.Id).inspect();
    out[c.Labels['com.docker.compose.service'] ?? '?'] = {
      id: c.Id,
      state: info.State.Status,
      startedAt: info.State.StartedAt,
    };
  }
  return out;
}

async function networks(project: string): Promise<string[]> {
  const list = await docker.listNetworks({ filters: { label: [`com.docker.compose.project=${project}`] } });
  return list.map((n) => n.Name);
}

describe('a Compose environment through devrig up (real Compose v2)', () => {
  let r: TestRunner;
  let folder: string;
  let project = '';

  before(async () => {
    await requireDocker();
    folder = copyComposeFixture('three-services', `devrig-cenv-${process.pid}`);
    // postStart counts the starts of the dev service (a file in the container survives stop/start).
    const file = join(folder, '.devcontainer/devcontainer.json');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        '"remoteUser": "vscode",',
        '"remoteUser": "vscode",\n  "postStartCommand": "date +%s%N >> /tmp/starts.log",',
      ),
    );
    r = await startRunner();
  });
  after(async () => {
    await cleanupRunner(r);
    // Anything a failed test left (the project's network, the user's named volume).
    if (project) await composeDownProject(project);
    else await composeDownProject(basename(folder).toLowerCase());
    removeProjects();
  });

  const exec = async (cmd: string) => {
    const res = await r.cli(['exec', NAME, '--', 'sh', '-c', cmd]);
    assert.equal(res.code, 0, `${cmd}: ${res.stderr}`);
    return res.stdout.trim();
  };

  test('up: Ready, exec in workspaceFolder of the dev service, env from all sources, db reached from postCreate', async () => {
    const res = await r.cli(['up', folder, '--name', NAME], { timeoutMs: 600_000 });
    assert.equal(res.code, 0, `${res.stdout}\n${res.stderr}\n${r.log().slice(-3000)}`);
    const env = await waitForPhase(r.client, NAME, 'Running');
    project = env.status.composeProject ?? '';
    assert.ok(project, 'status names the Compose project');
    assert.equal(await exec('pwd'), '/workspace');
    assert.equal(
      await exec('cat /built-by-compose'),
      'built-by-compose',
      'the dev service built from its Dockerfile',
    );
    assert.equal(
      await exec('echo "$FROM_COMPOSE $FROM_DOTENV $FROM_SECOND_FILE $FROM_DEVCONTAINER"'),
      'compose-value dotenv-value second-value devcontainer-value',
    );
    assert.equal(await exec('cat /tmp/db-reached'), 'reached');
    assert.equal(await exec('whoami'), 'vscode');
    const byService = await containers(project);
    assert.deepEqual(
      Object.keys(byService).sort(),
      ['db', 'dev'],
      'extra (not in runServices) never started',
    );
    assert.equal(byService.db!.state, 'running');
    assert.equal(byService.dev!.state, 'running');
    const services = Object.fromEntries((env.status.services ?? []).map((s) => [s.name, s.state]));
    assert.equal(services.db, 'running');
    assert.equal(services.dev, 'running');
    assert.equal(await exec('wc -l < /tmp/starts.log'), '1');
  });

  test('stop stops every service; start starts them and runs postStart again', async () => {
    const stopped = await r.cli(['stop', NAME]);
    assert.equal(stopped.code, 0, stopped.stderr);
    const after = await containers(project);
    assert.deepEqual(Object.keys(after).sort(), ['db', 'dev']);
    for (const [service, c] of Object.entries(after)) assert.equal(c.state, 'exited', service);
    const started = await r.cli(['start', NAME], { timeoutMs: 300_000 });
    assert.equal(started.code, 0, started.stderr);
    await waitForPhase(r.client, NAME, 'Running');
    for (const [service, c] of Object.entries(await containers(project))) {
      assert.equal(c.state, 'running', service);
      assert.equal(c.id, after[service]!.id, `${service}: the same container, started again`);
    }
    assert.equal(await exec('wc -l < /tmp/starts.log'), '2');
  });

  test('a runner killed with SIGKILL adopts every service: same containers, same StartedAt', async () => {
    const before = await containers(project);
    await r.kill('SIGKILL');
    await r.restart();
    const env = await waitForPhase(r.client, NAME, 'Running');
    assert.equal(env.status.composeProject, project);
    const now = await containers(project);
    assert.deepEqual(now, before);
    assert.equal(await exec('wc -l < /tmp/starts.log'), '2', 'postStart did not run again on adoption');
  });

  test("the db service removed behind devrig's back (docker rm -f) is recreated; dev is left alone", async () => {
    const before = await containers(project);
    await docker.getContainer(before.db!.id).remove({ force: true });
    const now = await waitFor(
      'db to be recreated',
      async () => {
        const c = await containers(project);
        return c.db && c.db.id !== before.db!.id && c.db.state === 'running' ? c : undefined;
      },
      180_000,
      500,
    );
    assert.deepEqual(now.dev, before.dev, 'the dev service was not restarted');
    await watchUntil(
      r.client,
      NAME,
      (e: Environment) =>
        e.status.phase === 'Running' &&
        e.status.services?.find((s) => s.name === 'db')?.containerId === now.db!.id,
      'to report the new db container',
    );
    // Reachable again by name from the dev service.
    await exec(
      `for i in $(seq 100); do python3 -c 'import urllib.request; urllib.request.urlopen("http://db:5432/")' 2>/dev/null && exit 0; sleep 0.1; done; exit 1`,
    );
  });

  test("logs --service: a service container's own output; an unknown service is named clearly", async () => {
    // db (python's http.server) logs each request postCreate and the check above made.
    const res = await r.cli(['logs', NAME, '--service', 'db']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /"GET \/ HTTP\/1\.1" 200/);
    const bad = await r.cli(['logs', NAME, '--service', 'nope']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /has no service "nope" \(services: .*db.*\)/);
  });

  test("delete leaves no container or network; the user's named volume survives", async () => {
    const volume = `${project}_dbdata`;
    await docker.getVolume(volume).inspect();
    const res = await r.cli(['delete', NAME]);
    assert.equal(res.code, 0, res.stderr);
    await waitForDeleted(r.client, NAME);
    assert.deepEqual(await containers(project), {});
    assert.deepEqual(await networks(project), []);
    const kept = await docker.getVolume(volume).inspect();
    assert.equal(kept.Name, volume);
    const ls = await run('docker', [
      'volume',
      'ls',
      '-q',
      '--filter',
      `label=com.docker.compose.project=${project}`,
    ]);
    assert.deepEqual(ls.stdout.trim().split('\n'), [volume], 'only the named volume is left');
  });
});

describe('delete --volumes of a Compose environment', () => {
  let r: TestRunner;
  let folder: string;
  let project = '';
  before(async () => {
    await requireDocker();
    folder = copyComposeFixture('three-services', `devrig-cvol-${process.pid}`);
    r = await startRunner();
  });
  after(async () => {
    await cleanupRunner(r);
    await composeDownProject(project || basename(folder).toLowerCase());
    removeProjects();
  });

  test("the user's named volume goes too", async () => {
    const res = await r.cli(['up', folder, '--name', 'cvol'], { timeoutMs: 600_000 });
    assert.equal(res.code, 0, `${res.stdout}\n${res.stderr}`);
    project = (await waitForPhase(r.client, 'cvol', 'Running')).status.composeProject ?? '';
    await docker.getVolume(`${project}_dbdata`).inspect();
    const del = await r.cli(['delete', 'cvol', '--volumes']);
    assert.equal(del.code, 0, del.stderr);
    assert.deepEqual(await containers(project), {});
    const ls = await run('docker', [
      'volume',
      'ls',
      '-q',
      '--filter',
      `label=com.docker.compose.project=${project}`,
    ]);
    assert.equal(ls.stdout.trim(), '');
  });
});
