import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Environment } from '../../runner/api';
import { BASE_IMAGE, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { waitForPhase, watchUntil } from '../helpers/wait';

const TIMEOUT_S = 6;
const PORT = 38990;

const active = (e: Environment) => e.status.conditions.find((c) => c.type === 'Active');
const stillRunning = (e: Environment) => e.spec.state === 'Running' && e.status.phase === 'Running';
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// spec.timeouts.inactivity in seconds: what counts as activity keeps the environment running,
// and once nothing happens for that long it is stopped, with the reason in its status.
describe('inactivity timeout on a real Docker engine', () => {
  let r: TestRunner;
  let folder: string;
  const name = 'idle';

  before(async () => {
    await requireDocker();
    r = await startRunner();
    folder = makeProject({ image: BASE_IMAGE, remoteUser: 'vscode', forwardPorts: [PORT] });
  });
  after(async () => {
    await cleanupRunner(r);
    removeProjects();
  });

  test('a running environment shows when it would stop', async () => {
    await r.client.call('apply', {
      resource: {
        kind: 'Environment',
        metadata: { name },
        spec: { source: { folder }, timeouts: { inactivity: `${TIMEOUT_S}s` } },
      },
    });
    const env = await waitForPhase(r.client, name, 'Running', 120_000);
    const ready = await watchUntil(
      r.client,
      name,
      (e) => !!e.status.idleStopAt,
      'to show idleStopAt',
      10_000,
    );
    assert.equal(active(ready)?.status, 'True');
    assert.match(active(ready)?.message ?? '', /stops after 6s without activity/);
    const deadline = Date.parse(ready.status.idleStopAt!) - Date.parse(ready.status.lastActivity!);
    assert.equal(deadline, TIMEOUT_S * 1000);
    assert.ok(env.status.containerId);
  });

  test('traffic on an open exec session keeps it running past the timeout', async () => {
    let ticks = 0;
    const h = await r.client.stream(
      'exec',
      { name, command: ['sh', '-c', `for i in $(seq ${TIMEOUT_S + 3}); do echo tick; sleep 1; done`] },
      (e) => {
        if (e.kind === 'stdout') ticks++;
      },
    );
    await h.done;
    assert.ok(ticks >= TIMEOUT_S, `got ${ticks} ticks`);
    const env = await r.client.call('get', { kind: 'Environment', name });
    assert.ok(env.kind === 'Environment' && stillRunning(env), 'still running');
  });

  test('traffic through a runner-held port forward keeps it running too', async () => {
    const serve = await r.cli([
      'exec',
      name,
      '--',
      'sh',
      '-c',
      `setsid nohup python3 -m http.server ${PORT} >/dev/null 2>&1 &`,
    ]);
    assert.equal(serve.code, 0, serve.stderr);
    const env = await watchUntil(
      r.client,
      name,
      (e) => e.status.ports.some((p) => p.port === PORT && p.listening && p.localPort),
      'to forward the port',
      20_000,
    );
    const local = env.status.ports.find((p) => p.port === PORT)!.localPort!;
    const until = Date.now() + (TIMEOUT_S + 3) * 1000;
    while (Date.now() < until) {
      const res = await fetch(`http://127.0.0.1:${local}/`);
      assert.equal(res.status, 200);
      await res.text();
      await pause(1000);
    }
    const now = await r.client.call('get', { kind: 'Environment', name });
    assert.ok(now.kind === 'Environment' && stillRunning(now), 'still running');
  });

  test('keepalive moves the deadline; then, left alone, it is stopped and says why', async () => {
    const before = await r.client.call('get', { kind: 'Environment', name });
    assert.equal(before.kind, 'Environment');
    const previous = Date.parse(before.status.idleStopAt!);
    // Let some of the timeout pass, so a reset is visible.
    await pause(2500);
    const kept = await r.cli(['keepalive', name]);
    assert.equal(kept.code, 0, kept.stderr);
    assert.match(kept.stdout, /activity recorded; it stops after 6s without activity/);
    const keptAt = Date.now();
    const moved = await watchUntil(
      r.client,
      name,
      (e) => !!e.status.idleStopAt && Date.parse(e.status.idleStopAt) >= previous + 2000,
      'to move idleStopAt',
      5_000,
    );
    assert.ok(stillRunning(moved));

    const stopped = await watchUntil(
      r.client,
      name,
      (e) => e.status.phase === 'Stopped',
      'to be stopped for inactivity',
      TIMEOUT_S * 1000 + 30_000,
    );
    assert.ok(Date.now() - keptAt >= TIMEOUT_S * 1000 - 500, 'not before the timeout after the keepalive');
    assert.equal(stopped.spec.state, 'Stopped', 'stopped through the spec, like a user stop');
    const why = active(stopped)!;
    assert.deepEqual([why.status, why.reason], ['False', 'IdleStopped']);
    assert.match(why.message, /^stopped after 6s without activity \(last activity \d{4}-/);
    assert.equal(stopped.status.idleStopAt, undefined);
    assert.deepEqual(stopped.status.ports, []);
    const logs = await r.cli(['logs', name]);
    assert.match(logs.stdout, /Stopping: no activity for 6s \(spec\.timeouts\.inactivity\)/);
    const ls = await r.cli(['ls']);
    assert.match(
      ls.stdout,
      new RegExp(`^${name}\\s+Stopped\\s.*IdleStopped: stopped after 6s without activity`, 'm'),
    );
  });

  test('started again, it is Active again', async () => {
    const start = await r.cli(['start', name]);
    assert.equal(start.code, 0, start.stderr);
    const env = await watchUntil(r.client, name, (e) => active(e)?.status === 'True', 'to be Active', 10_000);
    assert.ok(env.status.idleStopAt);
    await r.cli(['stop', name]);
  });
});
