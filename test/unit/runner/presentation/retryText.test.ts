import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countdown, retryPending, retryText } from '../../../../runner/presentation/retryText';

const now = Date.parse('2024-05-01T12:00:00Z');
const at = (s: number) => new Date(now + s * 1000).toISOString();

test('retry text: attempts and when the next one is', () => {
  assert.equal(retryText(undefined, now), '');
  assert.equal(
    retryText({ attempts: 1, nextAttemptAt: at(0.4), error: 'x' }, now),
    'attempt 1 failed · trying again now',
  );
  assert.equal(
    retryText({ attempts: 3, nextAttemptAt: at(20), error: 'x' }, now),
    '3 attempts failed · next try in 20s',
  );
  assert.equal(
    retryText({ attempts: 9, nextAttemptAt: at(300), error: 'x' }, now),
    '9 attempts failed · next try in 5m',
  );
  assert.equal(
    retryText({ attempts: 1, error: 'bad config' }, now),
    'attempt 1 failed · not retried until something changes',
  );
});

test('countdowns stay short; pending only while the next attempt is ahead', () => {
  assert.deepEqual(
    [0, 1.2, 59, 80, 3600, 3900].map((s) => countdown(s * 1000)),
    ['0s', '2s', '59s', '1m 20s', '1h', '1h 5m'],
  );
  assert.equal(retryPending({ attempts: 2, nextAttemptAt: at(5), error: '' }, now), true);
  assert.equal(retryPending({ attempts: 2, nextAttemptAt: at(-1), error: '' }, now), false);
  assert.equal(retryPending({ attempts: 2, error: '' }, now), false);
});
