import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AutomationStatus, Environment } from '../../runner/api';
import { BASE_IMAGE, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { waitFor, watchUntil } from '../helpers/wait';

const AUTOMATIONS = `
services:
  web:
    name: Web server
    commands:
      start: python3 -m http.server 8123
      ready: curl -fsS http://127.0.0.1:8123/ >/dev/null
      stop: echo "stop command ran" >> "$PWD/stopped.txt"
tasks:
  install:
    command: echo install >> /tmp/order.log
    triggeredBy: [postEnvironmentStart]
  build:
    command: echo build >> /tmp/order.log
    dependsOn: [install]
    triggeredBy: [postDevcontainerStart]
  test:
    command: echo test >> /tmp/order.log
    dependsOn: [build]
    triggeredBy: [postEnvironmentStart]
  fail:
    command: echo "about to fail"; echo "last words" >&2; exit 3
  after-fail:
    command: echo should not run
    dependsOn: [fail]
`;

/** Saved the way editors save: a whole new file in place of the old one. */
function save(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

const find = (env: Environment, id: string) => env.status.automations.find((a) => a.id === id);
const phaseOf = (env: Environment, id: string) => find(env, id)?.phase;

// One environment with a service and tasks, taken through what a user does with automations.
describe('automations (.devrig/automations.yaml) on a real Docker engine', () => {
  let r: TestRunner;
  let folder: string;
  const name = 'autos';

  const exec = async (script: string) => {
    const res = await r.cli(['exec', name, '--', 'sh', '-c', script]);
    assert.equal(res.code, 0, res.stderr);
    return res.stdout;
  };

  before(async () => {
    await requireDocker();
    r = await startRunner();
    folder = makeProject(
      { image: BASE_IMAGE, remoteUser: 'vscode' },
      { '.devrig/automations.yaml': AUTOMATIONS },
    );
  });
  after(async () => {
    await cleanupRunner(r);
    removeProjects();
  });

  test('start-triggered tasks run in dependency order; the service reaches Ready through its probe', async () => {
    const up = await r.cli(['up', folder, '--name', name]);
    assert.equal(up.code, 0, up.stderr);
    const env = await watchUntil(
      r.client,
      name,
      (e) =>
        phaseOf(e, 'web') === 'Ready' &&
        phaseOf(e, 'test') === 'Succeeded' &&
        e.status.conditions.some((c) => c.type === 'AutomationsReady' && c.status === 'True'),
      'to have its automations ready',
      60_000,
    );
    assert.deepEqual(
      env.status.automations.map((a) => [a.kind, a.id, a.phase]),
      [
        ['service', 'web', 'Ready'],
        ['task', 'after-fail', 'Pending'],
        ['task', 'build', 'Succeeded'],
        ['task', 'fail', 'Pending'],
        ['task', 'install', 'Succeeded'],
        ['task', 'test', 'Succeeded'],
      ],
    );
    assert.equal(find(env, 'web')?.name, 'Web server');
    assert.equal(await exec('cat /tmp/order.log'), 'install\nbuild\ntest\n');
    const ls = await r.cli(['automations', 'ls', name]);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /^service\s+web\s+Ready\s+0/m);
    // The probe's requests are in the service's own log.
    await waitFor('the probe in the service log', async () => {
      const logs = await r.cli(['automations', 'logs', name, 'web']);
      return /"GET \/ HTTP\/1\.1" 200/.test(logs.stdout);
    });
  });

  test('a service whose process dies is restarted and becomes Ready again', async () => {
    const before = await r.client.call('get', { kind: 'Environment', name });
    assert.equal(before.kind, 'Environment');
    const oldPid = (await exec('pgrep -f "^python3 -m http.server"')).trim();
    await exec('pkill -f "^python3 -m http.server"');
    const env = await watchUntil(
      r.client,
      name,
      (e) => (find(e, 'web')?.restarts ?? 0) >= 1 && phaseOf(e, 'web') === 'Ready',
      'to restart web',
      30_000,
    );
    const web = find(env, 'web')!;
    assert.equal(web.restarts, 1);
    const pids = (await exec('pgrep -f "^python3 -m http.server" || true')).trim().split('\n');
    assert.equal(pids.length, 1, 'exactly one server runs');
    assert.notEqual(pids[0], oldPid);
  });

  test('a failing task reports its exit code and log tail; its dependents do not run', async () => {
    const res = await r.cli(['automations', 'run', name, 'after-fail']);
    assert.equal(res.code, 1, 'after-fail did not succeed');
    const env = await r.client.call('get', { kind: 'Environment', name });
    assert.equal(env.kind, 'Environment');
    const fail = find(env, 'fail') as AutomationStatus;
    assert.equal(fail.phase, 'Failed');
    assert.equal(fail.exitCode, 3);
    // stdout and stderr lines, in whichever order they arrived.
    assert.deepEqual((fail.logTail ?? '').split('\n').sort(), ['about to fail', 'last words']);
    assert.equal(find(env, 'after-fail')?.phase, 'Failed');
    assert.match(find(env, 'after-fail')?.message ?? '', /not run: fail failed/);
    const cond = env.status.conditions.find((c) => c.type === 'AutomationsReady');
    assert.equal(cond?.reason, 'TaskFailed');
    // Running the failing task itself: the CLI exits with its code and shows its output.
    const direct = await r.cli(['automations', 'run', name, 'fail']);
    assert.equal(direct.code, 3);
    assert.match(direct.stdout, /last words/);
    assert.match(direct.stderr, /failed with exit code 3/);
  });

  test('a dependency cycle or bad YAML is rejected with file:line:col; what runs keeps running', async () => {
    const file = join(folder, '.devrig/automations.yaml');
    try {
      save(file, AUTOMATIONS.replace('    dependsOn: [install]\n', '    dependsOn: [install, test]\n'));
      const cycle = await r.cli(['automations', 'run', name, 'build']);
      assert.equal(cycle.code, 1);
      assert.match(
        cycle.stderr,
        /\.devrig\/automations\.yaml:\d+:\d+: tasks depend on each other in a cycle: build → test → build/,
      );
      const env = await watchUntil(
        r.client,
        name,
        (e) => e.status.conditions.some((c) => c.reason === 'AutomationsInvalid'),
        'to report the cycle',
        5_000,
      );
      assert.equal(phaseOf(env, 'web'), 'Ready', 'the running service is left alone');
      assert.equal(env.status.phase, 'Running');

      save(file, AUTOMATIONS.replace('      start: python3', '      start: [python3'));
      const bad = await r.cli(['automations', 'run', name, 'build']);
      assert.match(bad.stderr, /\.devrig\/automations\.yaml:\d+:\d+: /);
    } finally {
      save(file, AUTOMATIONS);
    }
  });

  test('a restarted runner adopts the running service instead of starting another', async () => {
    const before = (await exec('pgrep -f "^python3 -m http.server"')).trim();
    await r.kill();
    await r.restart();
    const env = await watchUntil(
      r.client,
      name,
      (e) => phaseOf(e, 'web') === 'Ready' && e.status.conditions.some((c) => c.type === 'AutomationsReady'),
      'to show web again',
      30_000,
    );
    assert.equal(find(env, 'web')?.restarts, 1, 'not restarted by the new runner');
    assert.equal((await exec('pgrep -f "^python3 -m http.server"')).trim(), before, 'the same process');
    assert.equal(await exec('cat /tmp/order.log'), 'install\nbuild\ntest\n', 'start tasks did not run again');
    // The adopted service is still supervised: a kill is noticed and repaired.
    await exec('pkill -f "^python3 -m http.server"');
    await watchUntil(
      r.client,
      name,
      (e) => find(e, 'web')?.restarts === 2 && phaseOf(e, 'web') === 'Ready',
      'to restart the adopted web',
      30_000,
    );
  });

  test("stopping the environment runs the service's stop command", async () => {
    const res = await r.cli(['stop', name]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(readFileSync(join(folder, 'stopped.txt'), 'utf8'), 'stop command ran\n');
    const env = await r.client.call('get', { kind: 'Environment', name });
    assert.equal(env.kind, 'Environment');
    assert.equal(phaseOf(env, 'web'), 'Stopped');
    assert.equal(phaseOf(env, 'install'), 'Succeeded', 'task results stay');
  });
});
