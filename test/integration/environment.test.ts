import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_IMAGE, docker, inspect, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { STOP_DEADLINE_MS } from '../../runner/state/limits';
import { waitForPhase, watchUntil } from '../helpers/wait';

// One environment taken through its life against the real engine, as a user would:
// devrig up, exec, stop/start, spec change, out-of-band removal, runner crash.
describe('environment lifecycle on a real Docker engine', () => {
  let r: TestRunner;
  let folder: string;
  const name = 'life';

  before(async () => {
    await requireDocker();
    r = await startRunner();
    folder = makeProject(
      {
        image: BASE_IMAGE,
        remoteUser: 'vscode',
        containerEnv: { FROM_CONFIG: 'yes' },
        postCreateCommand: 'echo created >> /tmp/created.log',
        postStartCommand: 'echo started >> "$HOME/started.log"',
      },
      { 'hello.txt': 'hello from the host\n' },
    );
  });
  after(async () => {
    await cleanupRunner(r);
    removeProjects();
  });

  test('devrig up → Ready, with the workspace visible inside', async () => {
    const res = await r.cli(['up', folder, '--name', name, '--json'], { env: { DEVRIG_TRACE: '1' } });
    assert.equal(res.code, 0, res.stderr);
    const out = JSON.parse(res.stdout);
    assert.equal(out.outcome, 'success');
    // The CLI's fast path checks what the runner sends without loading zod (see esbuild.mjs).
    assert.match(res.stderr, /exit \(schemas not loaded\)/);
    assert.match(out.workspaceFolder, /^\/workspaces\/devrig-proj-/);
    const cat = await r.cli(['exec', name, '--', 'cat', 'hello.txt']);
    assert.equal(cat.stdout, 'hello from the host\n');
    const env = await r.client.call('get', { kind: 'Environment', name });
    assert.equal(env.kind === 'Environment' && env.status.phase, 'Running');
  });

  test('exec passes the exit code, stdout and stderr through, as remoteUser in the workspace', async () => {
    const res = await r.cli([
      'exec',
      name,
      '--',
      'sh',
      '-c',
      'echo "$PWD $(id -un) $FROM_CONFIG"; echo oops >&2; exit 7',
    ]);
    assert.equal(res.code, 7);
    assert.match(res.stdout, /^\/workspaces\/devrig-proj-\S+ vscode yes\n$/);
    assert.equal(res.stderr, 'oops\n');
    const stdin = await r.cli(['exec', name, '-i', '--', 'wc', '-c'], { input: 'x'.repeat(100_000) });
    assert.equal(stdin.stdout.trim(), '100000');
  });

  test('stop/start keeps workspace files; postStart runs again, postCreate does not', async () => {
    const w = await r.cli(['exec', name, '--', 'sh', '-c', 'echo kept > written-inside.txt']);
    assert.equal(w.code, 0, w.stderr);
    assert.equal((await r.cli(['stop', name])).code, 0);
    const stopped = await r.client.call('get', { kind: 'Environment', name });
    assert.equal(stopped.kind === 'Environment' && stopped.status.phase, 'Stopped');
    const c = await inspect((stopped as { status: { containerId: string } }).status.containerId);
    assert.equal(c.State.Running, false);
    assert.equal((await r.cli(['start', name])).code, 0);
    const res = await r.cli([
      'exec',
      name,
      '--',
      'sh',
      '-c',
      'cat written-inside.txt; wc -l < /tmp/created.log; wc -l < ~/started.log',
    ]);
    assert.deepEqual(res.stdout.trim().split('\n'), ['kept', '1', '2']);
  });

  test('a spec change recreates the container and keeps the workspace', async () => {
    const before = await r.client.call('get', { kind: 'Environment', name });
    assert.equal(before.kind, 'Environment');
    const oldId = before.status.containerId!;
    const applied = await r.client.call('apply', {
      resource: {
        kind: 'Environment',
        metadata: { name },
        spec: { ...before.spec, resources: { memory: '768m' } },
      },
    });
    const env = await waitForPhase(r.client, name, 'Running');
    assert.equal(env.status.observedGeneration, applied.metadata.generation);
    assert.notEqual(env.status.containerId, oldId);
    const c = await inspect(env.status.containerId!);
    assert.equal(c.HostConfig.Memory, 768 * 1024 * 1024);
    assert.ok(
      c.HostConfig.NanoCpus! > 0 && c.HostConfig.PidsLimit! > 0,
      'resource budgets are applied by default',
    );
    const res = await r.cli([
      'exec',
      name,
      '--',
      'sh',
      '-c',
      'cat written-inside.txt; wc -l < /tmp/created.log',
    ]);
    assert.deepEqual(
      res.stdout.trim().split('\n'),
      ['kept', '1'],
      'postCreate ran once in the new container',
    );
  });

  test('a container removed out of band is recreated; one stopped out of band is started', async () => {
    const env = await r.client.call('get', { kind: 'Environment', name });
    const id = (env as { status: { containerId: string } }).status.containerId;
    await docker.getContainer(id).remove({ force: true });
    const back = await watchUntil(
      r.client,
      name,
      (e) => e.status.phase === 'Running' && !!e.status.containerId && e.status.containerId !== id,
      'to be recreated',
      60_000,
    );
    await docker.getContainer(back.status.containerId!).stop({ t: 1 });
    const restarted = await watchUntil(
      r.client,
      name,
      (e) => e.status.phase === 'Running' && e.status.startedAt !== back.status.startedAt,
      'to be started again',
      60_000,
    );
    assert.equal(restarted.status.containerId, back.status.containerId);
    assert.equal((await inspect(restarted.status.containerId!)).State.Running, true);
  });

  test('a runner killed with SIGKILL and restarted adopts the environment without restarting it', async () => {
    const env = await r.client.call('get', { kind: 'Environment', name });
    const id = (env as { status: { containerId: string } }).status.containerId;
    const startedAt = (await inspect(id)).State.StartedAt;
    const countStarts = async () =>
      (await r.cli(['exec', name, '--', 'sh', '-c', 'wc -l < ~/started.log'])).stdout.trim();
    const starts = await countStarts();
    await r.kill('SIGKILL');
    await r.restart();
    // Make the new runner look at it now, then check it left it alone.
    writeFileSync(join(folder, 'touch.txt'), 'x');
    const ready = await waitForPhase(r.client, name, 'Running');
    assert.equal(ready.status.containerId, id);
    const c = await inspect(id);
    assert.equal(c.State.StartedAt, startedAt);
    assert.equal(c.State.Running, true);
    assert.equal(await countStarts(), starts, 'postStart did not run again on adoption');
    // On a local engine the runner reads the container's listeners from its side (/proc/<pid>/net):
    // no ports watcher runs inside, not the old runner's nor the new one's.
    const watchers = async () =>
      (
        await r.cli([
          'exec',
          name,
          '-u',
          'root',
          '--',
          'sh',
          '-c',
          'for d in /proc/[0-9]*; do tr "\\000" "\\n" < $d/environ 2>/dev/null | grep -qx DEVRIG_PORTS_WATCHER=1 && grep -q snapshot $d/cmdline 2>/dev/null && echo $d; done | wc -l',
        ])
      ).stdout.trim();
    assert.equal(await watchers(), '0', 'no ports watcher process in the container');
  });

  test('delete removes the container', async () => {
    const env = await r.client.call('get', { kind: 'Environment', name });
    const id = (env as { status: { containerId: string } }).status.containerId;
    const res = await r.cli(['delete', name]);
    assert.equal(res.code, 0, res.stderr);
    await assert.rejects(inspect(id), /no such container/i);
    const ls = await r.cli(['ls']);
    assert.match(ls.stdout, /No environments/);
  });
});

describe('a failing lifecycle command', () => {
  let r: TestRunner;
  let folder: string;
  before(async () => {
    await requireDocker();
    r = await startRunner();
    folder = makeProject(
      { image: BASE_IMAGE, remoteUser: 'vscode', postCreateCommand: 'sh ./setup.sh' },
      { 'setup.sh': 'echo "setting up"\necho "missing dependency" >&2\nexit 3\n' },
    );
  });
  after(async () => {
    await cleanupRunner(r);
    removeProjects();
  });

  test('fails the environment with the exit code and the output tail; up again after a fix retries', async () => {
    const res = await r.cli(['up', folder, '--name', 'hook']);
    assert.equal(res.code, 1);
    // stdout and stderr arrive on separate streams: their order in the tail is not fixed.
    assert.match(
      res.stderr,
      /PostCreateCommandFailed: postCreateCommand failed with exit code 3: .*missing dependency/,
    );
    assert.match(res.stderr, /PostCreateCommandFailed: .*setting up/);
    const env = await r.client.call('get', { kind: 'Environment', name: 'hook' });
    assert.equal(env.kind === 'Environment' && env.status.phase, 'Failed');
    const logs = await r.cli(['logs', 'hook']);
    assert.match(logs.stdout, /postCreateCommand \| missing dependency/);
    writeFileSync(join(folder, 'setup.sh'), 'echo fixed > fixed.txt\n');
    const again = await r.cli(['up', folder, '--name', 'hook']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((await r.cli(['exec', 'hook', '--', 'cat', 'fixed.txt'])).stdout, 'fixed\n');
  });
});

describe('stopping the runner while a lifecycle command runs', () => {
  let r: TestRunner;
  let folder: string;
  before(async () => {
    await requireDocker();
    r = await startRunner();
    // A hook that ignores SIGTERM (and so does its sleep): cancelling it takes the KILL path.
    folder = makeProject({
      image: BASE_IMAGE,
      remoteUser: 'vscode',
      postCreateCommand: 'trap "" TERM; echo hook running; sleep 600',
    });
  });
  after(async () => {
    await cleanupRunner(r);
    removeProjects();
  });

  test('devrig runner stop cancels it and the runner exits well within its stop deadline', async () => {
    const up = await r.cli(['up', folder, '--name', 'busy', '--no-wait']);
    assert.equal(up.code, 0, up.stderr);
    const running = await watchUntil(
      r.client,
      'busy',
      (e) => e.status.conditions.some((c) => c.type === 'LifecycleComplete' && c.reason === 'Running'),
      'to run its postCreateCommand',
    );
    const exited = new Promise((resolve) => r.child.once('exit', resolve));
    const t0 = Date.now();
    const stop = await r.cli(['runner', 'stop']);
    const took = Date.now() - t0;
    assert.equal(stop.code, 0, stop.stderr);
    assert.match(stop.stdout, /runner stopped/);
    await exited;
    assert.ok(took < STOP_DEADLINE_MS, `stopping took ${took} ms`);
    assert.doesNotMatch(r.log(), /did not stop within|unhandled rejection/);
    // The environment's container is left running for the next runner to adopt.
    assert.equal((await inspect(running.status.containerId!)).State.Running, true);
  });
});
