import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LOOK_POLICY, LookSchedule } from '../../../../runner/ports/lookSchedule';

test('look schedule: often while active, rarely once idle, often again after activity', () => {
  let now = 1_000;
  const s = new LookSchedule({ activeMs: 1000, idleMs: 30_000, activeForMs: 60_000 }, () => now);
  assert.equal(s.delay(), 1000, 'a new environment counts as active (it just started)');
  now += 59_999;
  assert.equal(s.delay(), 1000);
  now += 1;
  assert.equal(s.delay(), 30_000, 'nothing happened for activeForMs: idle');
  s.active();
  assert.equal(s.delay(), 1000, 'activity (a session, traffic, a change seen) makes it active again');
  assert.equal(s.activeMs, 1000);
});

test('look schedule: the default looks at most every 30 s while idle and every second while active', () => {
  assert.deepEqual(DEFAULT_LOOK_POLICY, { activeMs: 1000, idleMs: 30_000, activeForMs: 60_000 });
});

test('look schedule: an environment adopted by a restarted runner is idle unless something happened lately', () => {
  const now = 1_000_000;
  const policy = { activeMs: 1000, idleMs: 30_000, activeForMs: 60_000 };
  assert.equal(new LookSchedule(policy, () => now, now - 3_600_000).delay(), 30_000, 'started an hour ago');
  assert.equal(new LookSchedule(policy, () => now, now - 5_000).delay(), 1000, 'started (or used) 5 s ago');
  assert.equal(new LookSchedule(policy, () => now, now + 5_000).delay(), 1000, 'a clock ahead counts as now');
});
