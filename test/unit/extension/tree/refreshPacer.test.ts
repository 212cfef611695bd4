import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RefreshPacer, type Clock } from '../../../../extension/tree/refreshPacer';

function fakeClock() {
  let now = 1000;
  const timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const t = { at: now + ms, fn, id: nextId++ };
      timers.push(t);
      return t.id;
    },
    clearTimeout: (id) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers.filter((x) => x.at <= now).sort((a, b) => a.at - b.at)) {
      timers.splice(timers.indexOf(t), 1);
      t.fn();
    }
  };
  return { clock, advance, pending: () => timers.length };
}

test('fires at once when the last fire is older than the gap, else once when the gap has passed', () => {
  const { clock, advance, pending } = fakeClock();
  const fired: number[] = [];
  const p = new RefreshPacer(() => fired.push(clock.now()), 200, clock);
  p.request();
  assert.deepEqual(fired, [1000], 'leading');
  advance(150);
  p.request();
  p.request();
  assert.deepEqual(fired, [1000], 'held: VS Code would restart its window');
  assert.equal(pending(), 1, 'one timer for many requests');
  advance(49);
  assert.deepEqual(fired, [1000]);
  advance(1);
  assert.deepEqual(fired, [1000, 1200], 'at the end of the window, not 200 ms after the last request');
  advance(500);
  p.request();
  assert.deepEqual(fired, [1000, 1200, 1700]);
  p.request();
  p.dispose();
  advance(1000);
  assert.deepEqual(fired, [1000, 1200, 1700], 'dispose drops a held fire');
});
