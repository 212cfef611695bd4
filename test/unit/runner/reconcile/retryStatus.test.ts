import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, TerminalError, type AttemptReport } from '../../../../runner/reconcile/controller';
import { retryStatus } from '../../../../runner/reconcile/retryStatus';

test('retryStatus: attempts, the next attempt from the backoff, the error; nothing after a success', () => {
  const now = new Date('2024-05-01T12:00:00.000Z');
  assert.deepEqual(
    retryStatus({ ok: false, attempts: 3, error: new Error('pull failed'), retryInMs: 2000 }, now),
    {
      attempts: 3,
      nextAttemptAt: '2024-05-01T12:00:02.000Z',
      error: 'pull failed',
    },
  );
  // A terminal error: no next attempt until something changes.
  assert.deepEqual(retryStatus({ ok: false, attempts: 1, error: 'bad', retryInMs: undefined }, now), {
    attempts: 1,
    error: 'bad',
  });
  assert.equal(retryStatus({ ok: true }, now), undefined);
});

test('controller onAttempt: every failure with attempts in a row and the delay, one success after failures, none for healthy resyncs', async () => {
  const reports: string[] = [];
  let n = 0;
  const c = new Controller(
    {
      reconcile: async (k) => {
        if (k === 'flaky' && ++n < 3) throw new Error(`try ${n}`);
        if (k === 'bad') throw new TerminalError('bad input');
      },
    },
    {
      name: 't',
      workers: 1,
      backoff: { baseMs: 5, maxMs: 20 },
      onAttempt: (k, r: AttemptReport) =>
        reports.push(
          r.ok ? `${k}:ok` : `${k}:${r.attempts}:${(r.error as Error).message}:${r.retryInMs ?? 'none'}`,
        ),
    },
  );
  c.start();
  c.enqueue('flaky');
  await new Promise<void>((resolve) => {
    const check = () => (reports.includes('flaky:ok') ? resolve() : setTimeout(check, 2));
    check();
  });
  c.enqueue('bad');
  c.enqueue('healthy');
  await c.onIdle();
  c.enqueue('healthy');
  await c.onIdle();
  await c.stop();
  assert.deepEqual(reports, ['flaky:1:try 1:5', 'flaky:2:try 2:10', 'flaky:ok', 'bad:1:bad input:none']);
});
