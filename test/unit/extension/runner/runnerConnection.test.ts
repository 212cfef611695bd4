// Runner: Restart and the handshake, against fake runners: a restart that fails still reconnects, and a
// runner speaking another API version is replaced by the bundled one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { API_VERSION, ApiError } from '../../../../runner/api';
import { PerConnection } from '../../../../extension/runner/perConnection';
import { RunnerConnection, type RunnerState } from '../../../../extension/runner/runnerConnection';

const GONE_PID = 999_999_999; // no such process: a stopped runner is gone at once

class FakeRunnerClient extends EventEmitter {
  isOpen = true;
  calls: string[] = [];
  constructor(
    readonly runnerPid: number,
    readonly runnerVersion = '0.1.0',
    readonly runnerApiVersion = API_VERSION,
    private readonly shutdown: () => Promise<unknown> = async () => ({ ok: true }),
  ) {
    super();
  }
  async call(method: string) {
    this.calls.push(method);
    if (method === 'shutdown') return this.shutdown();
    return {};
  }
  close() {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.emit('close', 1000, 'closed');
  }
}

function connection(clients: FakeRunnerClient[], opts: { stopTimeoutMs?: number } = {}) {
  const log: string[] = [];
  const states: RunnerState['kind'][] = [];
  let connects = 0;
  const c = new RunnerConnection({
    stateDir: '/nonexistent',
    launch: { runnerScript: '/ext/dist/runner.js', nodePath: process.execPath, env: {} },
    clientName: 'test',
    extensionVersion: '0.1.0',
    log: (m) => log.push(m),
    backoff: { initialMs: 10, maxMs: 10, factor: 1, jitter: 0 },
    connect: async () => {
      const next = clients[connects++];
      if (!next) throw new ApiError('Unavailable', 'no more fake runners');
      return next as never;
    },
    ...opts,
  });
  c.on('state', (s) => states.push(s.kind));
  return { c, log, states, connects: () => connects };
}

test('Runner: Restart whose shutdown fails still leaves "connected" and reconnects', async () => {
  const failing = new FakeRunnerClient(GONE_PID, '0.1.0', API_VERSION, async () => {
    throw new ApiError('Internal', 'shutdown exploded');
  });
  const next = new FakeRunnerClient(GONE_PID);
  const { c, states } = connection([failing, next]);
  const first = await c.whenConnected();
  assert.equal(first, failing as never);
  states.length = 0;
  await assert.rejects(c.restartRunner(), /shutdown exploded/);
  assert.equal(states[0], 'connecting', 'no longer "connected" once the restart began');
  assert.ok(!(c.state.kind === 'connected' && !c.client), 'never "connected" without a client');
  const again = await c.whenConnected();
  assert.equal(again, next as never, 'found a runner again');
  assert.equal(c.state.kind, 'connected');
  c.dispose();
});

test('Runner: Restart whose runner will not exit in time reconnects too', async () => {
  // Our own pid: "alive" for the whole (short) stop timeout.
  const stuck = new FakeRunnerClient(process.pid);
  const next = new FakeRunnerClient(GONE_PID);
  const { c } = connection([stuck, next], { stopTimeoutMs: 100 });
  await c.whenConnected();
  await assert.rejects(c.restartRunner(), /did not stop within 0.1 s/);
  assert.equal(await c.whenConnected(), next as never);
  c.dispose();
});

test('Runner: Restart that works: shutdown, then the new runner', async () => {
  const old = new FakeRunnerClient(GONE_PID);
  const fresh = new FakeRunnerClient(GONE_PID);
  const { c } = connection([old, fresh]);
  await c.whenConnected();
  await c.restartRunner();
  assert.deepEqual(old.calls, ['shutdown']);
  assert.equal(c.client, fresh as never);
  c.dispose();
});

test('a runner that speaks another API version is stopped and the bundled one started', async () => {
  const other = new FakeRunnerClient(GONE_PID, '0.9.0', API_VERSION + 1);
  const bundled = new FakeRunnerClient(GONE_PID);
  const { c, log } = connection([other, bundled]);
  assert.equal(await c.whenConnected(), bundled as never);
  assert.deepEqual(other.calls, ['shutdown']);
  assert.match(log.join('\n'), new RegExp(`API version ${API_VERSION + 1}`));
  c.dispose();
});

test('a runner of another API version that comes back after the replacement is refused, not used', async () => {
  const other = () => new FakeRunnerClient(GONE_PID, '0.9.0', API_VERSION + 1);
  const a = other();
  const b = other();
  const { c } = connection([a, b]);
  c.start();
  await new Promise<void>((resolve) =>
    c.on('state', (s) => {
      if (s.kind === 'disconnected') resolve();
    }),
  );
  assert.match(c.state.kind === 'disconnected' ? c.state.error : '', /cannot be used/);
  assert.equal(b.isOpen, false);
  c.dispose();
});

test('PerConnection: once per connection and key; a failure is not remembered', async () => {
  const memo = new PerConnection<string>();
  const conn1 = {};
  const conn2 = {};
  let runs = 0;
  const work = async () => `run ${++runs}`;
  assert.equal(await memo.get(conn1, 'k', work), 'run 1');
  assert.equal(await memo.get(conn1, 'k', work), 'run 1');
  assert.equal(await memo.get(conn2, 'k', work), 'run 2', 'a new connection does it again');
  assert.equal(await memo.get(conn2, 'other', work), 'run 3', 'another key (e.g. a changed setting)');
  await assert.rejects(
    memo.get({}, 'k', async () => Promise.reject(new Error('boom'))),
    /boom/,
  );
  const conn3 = {};
  await assert.rejects(memo.get(conn3, 'k', async () => Promise.reject(new Error('once'))));
  await new Promise((r) => setImmediate(r));
  assert.equal(await memo.get(conn3, 'k', work), 'run 4', 'tried again after a failure');
});
