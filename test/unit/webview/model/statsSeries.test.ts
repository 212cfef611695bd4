import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatsSample } from '../../../../runner/api';
import { statsReadout, statsSeries, trimSamples } from '../../../../webview/model/statsSeries';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const MiB = 1024 * 1024;
const at = (s: number, cpu = 1, mem = 100): StatsSample => ({
  time: new Date(T0 + s * 1000).toISOString(),
  cpuPercent: cpu,
  memoryBytes: mem * MiB,
  memoryLimitBytes: 2048 * MiB,
  pids: 7,
});

test('trimSamples keeps the window before the newest sample', () => {
  const samples = [at(0), at(100), at(299), at(400)];
  assert.deepEqual(
    trimSamples(samples, 300_000).map((s) => s.time),
    [at(100), at(299), at(400)].map((s) => s.time),
  );
  assert.deepEqual(trimSamples([]), []);
});

test('statsSeries: seconds on x, MiB for memory, a null point across gaps, bad or repeated times skipped', () => {
  const s = statsSeries(
    [at(0, 5, 100), at(1, 10, 150), at(1, 99, 999), at(60, 20, 200), { ...at(61), time: 'nope' }],
    5000,
  );
  assert.deepEqual(s.x, [T0 / 1000, T0 / 1000 + 1, (T0 + 1001) / 1000, T0 / 1000 + 60]);
  assert.deepEqual(s.cpu, [5, 10, null, 20]);
  assert.deepEqual(s.memory, [100, 150, null, 200]);
  assert.equal(s.memoryLimit, 2048);
  assert.equal(s.count, 3);
  assert.equal(statsSeries([]).count, 0);
});

test('statsReadout shows the newest sample', () => {
  assert.deepEqual(statsReadout(at(0, 3.14159, 120)), {
    cpu: '3.1 %',
    memory: '120 MiB / 2.0 GiB',
    pids: '7',
  });
  assert.deepEqual(statsReadout({ ...at(0), memoryLimitBytes: 0, pids: undefined }), {
    cpu: '1.0 %',
    memory: '100 MiB',
    pids: '–',
  });
  assert.deepEqual(statsReadout(undefined), { cpu: '–', memory: '–', pids: '–' });
});
