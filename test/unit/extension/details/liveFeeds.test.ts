import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { StatsSample } from '../../../../runner/api';
import { LiveFeeds, type FeedRunner } from '../../../../extension/details/liveFeeds';
import { env } from '../../../helpers/resources';

interface FakeStream {
  method: string;
  params: Record<string, unknown>;
  emit(e: unknown): void;
  end(error?: Error): void;
  cancelled: boolean;
}

/** A runner client whose streams the test drives by hand. */
class FakeClient {
  isOpen = true;
  streams: FakeStream[] = [];
  /** Events sent before the stream's result, like the runner's log tail. */
  beforeResult: Record<string, unknown[]> = {};
  fail: Record<string, Error | undefined> = {};

  stream = (async (method: string, params: Record<string, unknown>, onEvent: (e: unknown) => void) => {
    const f = this.fail[method];
    if (f) throw f;
    let resolveDone!: () => void;
    let rejectDone!: (e: Error) => void;
    const done = new Promise<void>((res, rej) => {
      resolveDone = res;
      rejectDone = rej;
    });
    done.catch(() => {});
    const s: FakeStream = {
      method,
      params,
      emit: (e) => onEvent(e),
      end: (error) => (error ? rejectDone(error) : resolveDone()),
      cancelled: false,
    };
    this.streams.push(s);
    for (const e of this.beforeResult[method] ?? []) onEvent(e);
    return { id: this.streams.length, result: {}, done, cancel: async () => void (s.cancelled = true) };
  }) as never;

  live(method: string): FakeStream[] {
    return this.streams.filter((s) => s.method === method && !s.cancelled);
  }
}

class FakeRunner extends EventEmitter implements FeedRunner {
  client: FakeClient | undefined;
  connect(c: FakeClient) {
    this.client = c;
    this.emit('connected', c);
  }
}

const tick = () => new Promise((r) => setImmediate(r));
const sample = (s: number): StatsSample => ({
  time: new Date(Date.parse('2026-01-01T00:00:00Z') + s * 1000).toISOString(),
  cpuPercent: s,
  memoryBytes: 1,
  memoryLimitBytes: 2,
});

function setup(opts: { retryDelaysMs?: number[] } = {}) {
  const runner = new FakeRunner();
  const logs: [string, boolean][] = [];
  const stats: StatsSample[] = [];
  const feeds = new LiveFeeds(
    'api',
    runner as never,
    { log: (d, r) => logs.push([d, r]), stats: (s) => stats.push(s) },
    { retryDelaysMs: opts.retryDelaysMs ?? [10], maxLogChars: 20 },
  );
  return { runner, logs, stats, feeds };
}

const running = (containerId = 'c1') => env('api', 'Running', { status: { containerId } });

test('log: follows from a tail, first chunk replaces, then appends; a reconnect re-follows with reset', async () => {
  const { runner, logs, feeds } = setup();
  const c1 = new FakeClient();
  c1.beforeResult.logs = [{ data: 'tail\n' }];
  runner.connect(c1);
  await tick();
  const [log] = c1.live('logs');
  assert.deepEqual(log!.params, { name: 'api', follow: true, tail: 1000 });
  log!.emit({ data: 'live\n' });
  assert.deepEqual(logs, [
    ['tail\n', true],
    ['live\n', false],
  ]);
  assert.equal(feeds.snapshot().log, 'tail\nlive\n');

  // The runner restarts: a new connection, an empty tail still resets the page.
  c1.isOpen = false;
  const c2 = new FakeClient();
  runner.connect(c2);
  await tick();
  assert.equal(c2.live('logs').length, 1);
  assert.deepEqual(logs.at(-1), ['', true]);
  assert.equal(feeds.snapshot().log, '');
  feeds.dispose();
  assert.equal(c2.live('logs').length, 0, 'dispose cancels');
});

test('log: kept text is bounded and cut at a line boundary', async () => {
  const { runner, feeds } = setup();
  const c = new FakeClient();
  runner.connect(c);
  await tick();
  c.live('logs')[0]!.emit({ data: 'aaaaaaaaaa\nbbbbbbbbbb\ncccc\n' });
  assert.equal(feeds.snapshot().log, 'bbbbbbbbbb\ncccc\n');
  feeds.dispose();
});

test('log: before the environment exists the follow fails quietly and starts once it appears', async () => {
  const { runner, feeds } = setup();
  const c = new FakeClient();
  c.fail.logs = new Error('environment "api" not found');
  runner.connect(c);
  await tick();
  assert.equal(c.streams.length, 0);
  c.fail.logs = undefined;
  feeds.update(env('api', 'Pending'));
  await tick();
  assert.equal(c.live('logs').length, 1);
  feeds.dispose();
});

test('stats: only while Running, one stream per container, stopped when the phase changes', async () => {
  const { runner, stats, feeds } = setup();
  const c = new FakeClient();
  runner.connect(c);
  feeds.update(env('api', 'Starting', { status: { containerId: 'c1' } }));
  await tick();
  assert.equal(c.live('stats').length, 0);

  feeds.update(running('c1'));
  await tick();
  assert.equal(c.live('stats').length, 1);
  feeds.update(running('c1')); // an unrelated status change: same stream
  await tick();
  assert.equal(c.live('stats').length, 1);
  c.live('stats')[0]!.emit(sample(1));
  c.live('stats')[0]!.emit({ ...sample(2), time: '0001-01-01T00:00:00Z' }); // Docker's "stopped" frame
  assert.deepEqual(
    stats.map((s) => s.cpuPercent),
    [1],
  );

  feeds.update(running('c2')); // recreated container: a new stream
  await tick();
  assert.equal(c.live('stats').length, 1);
  assert.equal(c.streams.filter((s) => s.method === 'stats').length, 2);

  feeds.update(env('api', 'Stopping', { status: { containerId: 'c2' } }));
  await tick();
  assert.equal(c.live('stats').length, 0);
  assert.deepEqual(
    feeds.snapshot().stats.map((s) => s.cpuPercent),
    [1],
  );
  feeds.dispose();
});

test('stats: a stream the runner ends early is retried after a delay, not immediately', async () => {
  const { runner, feeds } = setup({ retryDelaysMs: [30] });
  const c = new FakeClient();
  runner.connect(c);
  feeds.update(running());
  await tick();
  c.live('stats')[0]!.end(new Error('container went away'));
  await tick();
  feeds.update(running()); // watch events during the delay do not bypass it
  await tick();
  assert.equal(c.streams.filter((s) => s.method === 'stats').length, 1);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(c.streams.filter((s) => s.method === 'stats').length, 2);
  feeds.dispose();
});

test('stats: samples older than the window are forgotten', async () => {
  const runner = new FakeRunner();
  const feeds = new LiveFeeds(
    'api',
    runner as never,
    { log: () => {}, stats: () => {} },
    { statsWindowMs: 10_000 },
  );
  const c = new FakeClient();
  runner.connect(c);
  feeds.update(running());
  await tick();
  for (const s of [0, 5, 12, 16]) c.live('stats')[0]!.emit(sample(s));
  assert.deepEqual(
    feeds.snapshot().stats.map((s) => s.cpuPercent),
    [12, 16],
  );
  feeds.dispose();
});

test('log: a follow the runner ends while connected is started again on the next environment change', async () => {
  const { runner, feeds } = setup();
  const c = new FakeClient();
  runner.connect(c);
  await tick();
  c.live('logs')[0]!.end(new Error('environment "api" was deleted'));
  await tick();
  feeds.update(env('api', 'Pending'));
  await tick();
  assert.equal(c.streams.filter((s) => s.method === 'logs').length, 2);
  feeds.dispose();
});

test('log: a follow refused for a known environment is retried after a delay, not on every watch event', async (t) => {
  // A mocked clock: on a loaded machine the five ticks below can outlast any real delay.
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { runner, feeds } = setup({ retryDelaysMs: [30] });
  const c = new FakeClient();
  let tries = 0;
  let failing = true;
  c.fail = {
    get logs() {
      tries++; // read once per attempt to follow the log
      return failing ? new Error('logs are unavailable') : undefined;
    },
  };
  feeds.update(running());
  runner.connect(c);
  await tick();
  assert.equal(tries, 1);
  for (let i = 0; i < 5; i++) {
    feeds.update(running()); // watch events during the delay do not bypass it
    await tick();
  }
  assert.equal(tries, 1);
  failing = false;
  t.mock.timers.tick(29);
  await tick();
  assert.equal(tries, 1, 'not before the delay');
  t.mock.timers.tick(1);
  await tick();
  assert.equal(tries, 2);
  assert.equal(c.live('logs').length, 1, 'followed once the delay passed');
  feeds.dispose();
});
