import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatsSample } from '../../../../runner/api';
import { StatsHistory } from '../../../../runner/stats/statsHistory';

const at = (s: number): StatsSample => ({
  time: new Date(Date.UTC(2024, 4, 1, 12, 0, s)).toISOString(),
  cpuPercent: s,
  memoryBytes: 1,
  memoryLimitBytes: 2,
});

test('keeps the last window of samples per environment, oldest first, newer only', () => {
  const h = new StatsHistory(10_000);
  for (const s of [0, 5, 10, 12]) assert.equal(h.add('a', at(s)), true);
  assert.equal(h.add('a', at(12)), false, 'a repeated time is ignored');
  assert.equal(h.add('a', { ...at(1), time: '0001-01-01T00:00:00Z' }), false, "Docker's year 1");
  assert.deepEqual(
    h.get('a').map((s) => s.cpuPercent),
    [5, 10, 12],
    'samples older than 10 s before the newest are dropped',
  );
  assert.deepEqual(h.get('b'), []);
  h.forget('a');
  assert.deepEqual(h.get('a'), []);
});

test('listeners get every kept sample until they unsubscribe', () => {
  const h = new StatsHistory(60_000);
  const seen: number[] = [];
  const stop = h.listen('a', (s) => seen.push(s.cpuPercent));
  h.add('a', at(1));
  h.add('b', at(2));
  h.add('a', at(1));
  h.add('a', at(3));
  stop();
  h.add('a', at(4));
  assert.deepEqual(seen, [1, 3]);
});
