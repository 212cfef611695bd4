import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { superviseShutdown, type Stoppable } from '../../../runner/shutdown';

/** A runner whose stop takes as long as the test says. */
function fakeRunner() {
  let requested!: () => void;
  let finished!: () => void;
  const stopRequested = new Promise<void>((r) => (requested = r));
  const stopped = new Promise<void>((r) => (finished = r));
  let stops = 0;
  const runner: Stoppable = {
    stop: () => {
      stops++;
      requested();
      return stopped;
    },
    stopRequested,
    stopped,
  };
  return { runner, finish: () => finished(), stops: () => stops };
}

function supervise(runner: Stoppable, deadlineMs: number) {
  const signals = new EventEmitter();
  const logs: string[] = [];
  let exited!: (code: number) => void;
  const exit = new Promise<number>((r) => (exited = r));
  superviseShutdown(runner, { signals, exit: (c) => exited(c), log: (m) => logs.push(m), deadlineMs });
  return { signals, logs, exit };
}

test('a signal stops the runner; the process exits 0 once it has stopped', async () => {
  const f = fakeRunner();
  const s = supervise(f.runner, 60_000);
  s.signals.emit('SIGTERM');
  assert.equal(f.stops(), 1);
  f.finish();
  assert.equal(await s.exit, 0);
});

test('a stop that does not finish by the deadline exits anyway, and says so', async () => {
  const f = fakeRunner();
  const s = supervise(f.runner, 30);
  // Stopping asked through the API (the shutdown call), not a signal: the deadline holds too.
  void f.runner.stop();
  assert.equal(await s.exit, 1);
  assert.match(s.logs.join('\n'), /did not stop within 0\.03s: exiting anyway/);
});

test('a second signal while stopping exits at once', async () => {
  const f = fakeRunner();
  const s = supervise(f.runner, 60_000);
  s.signals.emit('SIGINT');
  s.signals.emit('SIGTERM');
  assert.equal(await s.exit, 1);
  assert.equal(f.stops(), 1);
  assert.match(s.logs.join('\n'), /SIGTERM again while stopping: exiting now/);
  f.finish(); // lets the deadline timer go
});
