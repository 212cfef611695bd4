import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_STEP_MS, setLongTimeout } from '../../../../runner/util/longTimeout';

/** The mocked setTimeout, with the delays it was armed with recorded. */
function recordDelays(): { delays: number[]; restore(): void } {
  const mocked = globalThis.setTimeout;
  const delays: number[] = [];
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    delays.push(ms ?? 0);
    return mocked(fn, ms);
  }) as typeof setTimeout;
  return { delays, restore: () => void (globalThis.setTimeout = mocked) };
}

test('setLongTimeout: a delay beyond 2^31-1 ms fires once, at the end, armed in steps', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  const rec = recordDelays();
  try {
    const delay = 40 * 24 * 3_600_000; // 40 days
    let fired = 0;
    const t = setLongTimeout(() => fired++, delay);
    // Mock timers re-armed inside a tick count from its end: tick to each step's end.
    for (let i = 0; i < 3; i++) mock.timers.tick(MAX_STEP_MS);
    mock.timers.tick(delay - 3 * MAX_STEP_MS - 1);
    assert.equal(fired, 0);
    assert.equal(t.pending, true);
    mock.timers.tick(1);
    assert.equal(fired, 1);
    assert.equal(t.pending, false);
    mock.timers.tick(delay * 2);
    assert.equal(fired, 1, 'once');
    assert.ok(
      rec.delays.every((d) => d <= MAX_STEP_MS && d <= 2 ** 31 - 1),
      `${rec.delays}`,
    );
    assert.equal(
      rec.delays.reduce((a, b) => a + b, 0),
      delay,
    );
  } finally {
    rec.restore();
    mock.timers.reset();
  }
});

test('setLongTimeout: short delays are one plain timer; clear works before and between steps', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  const rec = recordDelays();
  try {
    let fired = 0;
    setLongTimeout(() => fired++, 250);
    assert.deepEqual(rec.delays, [250]);
    mock.timers.tick(250);
    assert.equal(fired, 1);

    const early = setLongTimeout(() => fired++, 1000);
    early.clear();
    const late = setLongTimeout(() => fired++, 3 * MAX_STEP_MS);
    mock.timers.tick(MAX_STEP_MS + 1);
    late.clear();
    assert.equal(late.pending, false);
    mock.timers.tick(3 * MAX_STEP_MS);
    assert.equal(fired, 1, 'neither cleared one fired');

    const now = setLongTimeout(() => fired++, -5);
    mock.timers.tick(0);
    assert.equal(fired, 2, 'a negative delay fires at once');
    assert.equal(now.pending, false);
  } finally {
    rec.restore();
    mock.timers.reset();
  }
});
