import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostMessage, StatsSample } from '../../../runner/api';
import { PageState } from '../../../webview/pageState';
import { env } from '../../helpers/resources';

const sample = (time: string): StatsSample => ({ time, cpuPercent: 1, memoryBytes: 1, memoryLimitBytes: 2 });

const snapshot = (over: Partial<Extract<HostMessage, { type: 'snapshot' }>> = {}): HostMessage => ({
  type: 'snapshot',
  name: 'api',
  environment: env('api', 'Running'),
  sshCommand: 'ssh devrig-api',
  runner: { state: 'connected' },
  log: 'one\ntwo\n',
  stats: [sample('2026-01-01T00:00:00Z')],
  ...over,
});

test('messages before the first snapshot are ignored (the snapshot already contains them)', () => {
  const p = new PageState('api');
  assert.deepEqual(p.apply({ type: 'log', data: 'early\n', reset: false }), {
    details: false,
    log: false,
    stats: false,
  });
  assert.deepEqual(p.apply({ type: 'environment', environment: null }), {
    details: false,
    log: false,
    stats: false,
  });
  assert.deepEqual(p.log.all(), []);
  assert.deepEqual(p.apply(snapshot()), { details: true, log: true, stats: true });
  assert.equal(p.ready, true);
  assert.deepEqual(p.log.all(), ['one', 'two']);
  assert.equal(p.samples.length, 1);
});

test('incremental messages update only what they change; a log reset replaces the log', () => {
  const p = new PageState('api');
  p.apply(snapshot());
  assert.deepEqual(p.apply({ type: 'log', data: 'three\n', reset: false }), {
    details: false,
    log: true,
    stats: false,
  });
  assert.deepEqual(p.log.all(), ['one', 'two', 'three']);
  p.apply({ type: 'log', data: 'fresh\n', reset: true });
  assert.deepEqual(p.log.all(), ['fresh']);
  assert.deepEqual(p.apply({ type: 'runner', runner: { state: 'connecting' } }).details, true);
  assert.equal(p.runner.state, 'connecting');
  p.apply({ type: 'environment', environment: null });
  assert.equal(p.environment, null);
});

test('stats: samples with Docker\'s "year 1" time are dropped, the window is kept', () => {
  const p = new PageState('api');
  p.apply(snapshot({ stats: [sample('0001-01-01T00:00:00Z'), sample('2026-01-01T00:00:00Z')] }));
  assert.equal(p.samples.length, 1);
  assert.deepEqual(p.apply({ type: 'stats', sample: sample('0001-01-01T00:00:00Z') }).stats, false);
  p.apply({ type: 'stats', sample: sample('2026-01-01T00:10:00Z') });
  assert.deepEqual(
    p.samples.map((s) => s.time),
    ['2026-01-01T00:10:00Z'],
  );
});
