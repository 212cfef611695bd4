import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from '../../../../runner/reconcile/workQueue';
import { Controller, TerminalError } from '../../../../runner/reconcile/controller';

test('duplicate adds collapse into one entry', async () => {
  const q = new WorkQueue();
  q.add('a');
  q.add('a');
  q.add('b');
  assert.equal(q.length, 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
});

test('a key being processed is not handed out twice; re-added meanwhile, it comes back after done', async () => {
  const q = new WorkQueue();
  q.add('a');
  const k = await q.get();
  q.add('a');
  assert.equal(q.length, 0, 'held back while processing');
  q.done(k!);
  assert.equal(q.length, 1);
  assert.equal(await q.get(), 'a');
});

test('backoff doubles per failure up to the cap; forget resets it', () => {
  const q = new WorkQueue({ baseMs: 100, maxMs: 500 });
  assert.deepEqual(
    [1, 2, 3, 4, 5].map(() => q.addRateLimited('a')),
    [100, 200, 400, 500, 500],
  );
  q.forget('a');
  assert.equal(q.addRateLimited('a'), 100);
  q.shutDown();
});

test('addAfter keeps the earliest pending delay', async () => {
  const q = new WorkQueue();
  q.addAfter('a', 10_000);
  q.addAfter('a', 20);
  const t = Date.now();
  assert.equal(await q.get(), 'a');
  assert.ok(Date.now() - t < 5000);
  q.shutDown();
});

test('onIdle resolves when nothing is queued or processing', async () => {
  const q = new WorkQueue();
  q.add('a');
  let idle = false;
  const p = q.onIdle().then(() => (idle = true));
  const k = await q.get();
  await Promise.resolve();
  assert.equal(idle, false);
  q.done(k!);
  await p;
  assert.equal(idle, true);
});

function controllerWith(fn: (key: string) => Promise<{ requeueAfterMs?: number } | void>) {
  const errors: string[] = [];
  const c = new Controller(
    {
      reconcile: (k) => fn(k),
      onError: (k, e, retry) => errors.push(`${k}:${(e as Error).message}:${retry ?? 'none'}`),
    },
    { name: 't', workers: 2, backoff: { baseMs: 5, maxMs: 20 } },
  );
  return { c, errors };
}

test('controller: errors retry with backoff until success; terminal errors stop retrying', async () => {
  let n = 0;
  const { c, errors } = controllerWith(async (k) => {
    if (k === 'flaky' && ++n < 3) throw new Error('not yet');
    if (k === 'bad') throw new TerminalError('bad input');
  });
  c.start();
  c.enqueue('flaky');
  c.enqueue('bad');
  await new Promise<void>((resolve) => {
    const check = () => (n >= 3 && c.queue.idle ? resolve() : setTimeout(check, 2));
    check();
  });
  assert.equal(n, 3);
  assert.deepEqual(
    errors.filter((e) => e.startsWith('bad')),
    ['bad:bad input:none'],
  );
  assert.equal(errors.filter((e) => e.startsWith('flaky')).length, 2);
  assert.equal(c.queue.retries('flaky'), 0, 'forgotten after success');
  await c.stop();
});

test('controller: one reconcile per key at a time, different keys in parallel', async () => {
  let running = 0;
  let maxSame = 0;
  let maxAll = 0;
  const perKey = new Map<string, number>();
  const { c } = controllerWith(async (k) => {
    running++;
    perKey.set(k, (perKey.get(k) ?? 0) + 1);
    maxSame = Math.max(maxSame, perKey.get(k)!);
    maxAll = Math.max(maxAll, running);
    await new Promise((r) => setTimeout(r, 20));
    perKey.set(k, perKey.get(k)! - 1);
    running--;
  });
  c.start();
  for (let i = 0; i < 5; i++) {
    c.enqueue('a');
    c.enqueue('b');
    await new Promise((r) => setTimeout(r, 3));
  }
  await c.onIdle();
  assert.equal(maxSame, 1);
  assert.equal(maxAll, 2);
  await c.stop();
});

test('controller: requeueAfter polls again; abortInflight cancels the running reconcile', async () => {
  let calls = 0;
  let aborted = false;
  const c = new Controller(
    {
      reconcile: async (_k, signal) => {
        calls++;
        if (calls === 1) return { requeueAfterMs: 5 };
        if (calls === 2) {
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
          aborted = signal.aborted;
        }
      },
    },
    { name: 't' },
  );
  c.start();
  c.enqueue('a');
  await new Promise<void>((resolve) => {
    const check = () => (calls === 2 ? resolve() : setTimeout(check, 2));
    check();
  });
  c.abortInflight('a', 'spec changed');
  await c.onIdle();
  assert.equal(aborted, true);
  await c.stop();
});
