// Show Logs after a reconnect: only what was logged meanwhile is added.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogResume } from '../../../../extension/logs/logResume';

const lines = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}\n`).join('');

test('resume: the tail overlaps what was shown, only the newer lines are added', () => {
  const r = new LogResume(5);
  r.shown(lines(1, 10));
  // The re-follow's tail: the last 8 lines of the log, 3 of them logged while disconnected.
  assert.deepEqual(r.resume(lines(6, 13)), { text: lines(11, 13), gap: false });
  // And the next reconnect resumes after those.
  assert.deepEqual(r.resume(lines(9, 14)), { text: lines(14, 14), gap: false });
});

test('resume: nothing new, or nothing shown before', () => {
  const r = new LogResume(5);
  r.shown(lines(1, 3));
  assert.deepEqual(r.resume(lines(1, 3)), { text: '', gap: false });
  const fresh = new LogResume(5);
  assert.deepEqual(
    fresh.resume(lines(1, 2)),
    { text: lines(1, 2), gap: false },
    'empty log when first followed',
  );
});

test('resume: more was logged than the tail holds: all of it, marked as a gap', () => {
  const r = new LogResume(5);
  r.shown(lines(1, 10));
  assert.deepEqual(r.resume(lines(50, 60)), { text: lines(50, 60), gap: true });
});

test('resume: repeated lines — the earliest match wins (repeat rather than lose)', () => {
  const r = new LogResume(2);
  r.shown('a\nb\n');
  // "a b" occurs twice in the tail: the new lines start after the first one.
  assert.deepEqual(r.resume('x\na\nb\na\nb\nc\n'), { text: 'a\nb\nc\n', gap: false });
});

test('resume: the tail starts inside the last lines shown', () => {
  const r = new LogResume(5);
  r.shown(lines(1, 10));
  assert.deepEqual(r.resume(lines(8, 12)), { text: lines(11, 12), gap: false });
  // One equal line is no evidence: shown as a gap.
  const blank = new LogResume(5);
  blank.shown('a\nb\n\n');
  assert.deepEqual(blank.resume('\nx\n'), { text: '\nx\n', gap: true });
});
