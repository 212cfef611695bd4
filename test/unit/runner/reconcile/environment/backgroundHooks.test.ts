import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BackgroundHooks } from '../../../../../runner/reconcile/environment/backgroundHooks';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => ((resolve = a), (reject = b)));
  return { promise, resolve, reject };
}

test('one job per container start: running, then done, and a reconcile is asked for when it settles', async () => {
  const settled: string[] = [];
  const hooks = new BackgroundHooks((name) => settled.push(name));
  const d = deferred<boolean>();
  let runs = 0;
  const run = async (starting: (hook: string) => void) => {
    runs++;
    starting('postCreateCommand');
    return d.promise;
  };
  assert.deepEqual(hooks.ensure('a', 'c1 t1', run), { state: 'running', hook: 'postCreateCommand' });
  assert.deepEqual(settled, [], 'the reconcile that started it reads its first state itself');
  assert.deepEqual(hooks.ensure('a', 'c1 t1', run), { state: 'running', hook: 'postCreateCommand' });
  assert.equal(runs, 1, 'not started twice for the same start');
  d.resolve(true);
  await d.promise;
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(hooks.ensure('a', 'c1 t1', run), { state: 'done' });
  assert.deepEqual(settled, ['a']);
});

test('a failure is kept with its hook; a new start runs again; forget cancels the job', async () => {
  const hooks = new BackgroundHooks();
  const failing = async () => {
    throw Object.assign(new Error('postStartCommand failed with exit code 3'), { hook: 'postStartCommand' });
  };
  hooks.ensure('a', 'c1 t1', failing);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(hooks.ensure('a', 'c1 t1', failing), {
    state: 'failed',
    hook: 'postStartCommand',
    message: 'postStartCommand failed with exit code 3',
  });
  let signal: AbortSignal | undefined;
  const pending = deferred<boolean>();
  const state = hooks.ensure('a', 'c1 t2', async (_s, sig) => {
    signal = sig;
    return pending.promise;
  });
  assert.equal(state.state, 'running');
  assert.equal(signal?.aborted, false);
  hooks.forget('a');
  assert.equal(signal?.aborted, true);
  pending.resolve(false);
});
