import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coalesced, coalescedBy } from '../../../../runner/util/coalesce';

/** A call that resolves (with its number) only when the test says so. */
function controlled() {
  const runs: { n: number; resolve(): void; reject(e: Error): void }[] = [];
  const fn = () =>
    new Promise<number>((resolve, reject) => {
      const n = runs.length + 1;
      runs.push({ n, resolve: () => resolve(n), reject });
    });
  return { fn, runs };
}

const tick = () => new Promise((r) => setImmediate(r));

test('coalesced: callers during a run share the next run, which starts after it', async () => {
  const { fn, runs } = controlled();
  const call = coalesced(fn);
  const first = call();
  assert.equal(runs.length, 1, 'the first caller starts a run at once');
  const during = [call(), call(), call()];
  await tick();
  assert.equal(runs.length, 1, 'no second run while the first goes');
  runs[0]!.resolve();
  assert.equal(await first, 1);
  await tick();
  assert.equal(runs.length, 2, 'one run for all who asked meanwhile');
  runs[1]!.resolve();
  assert.deepEqual(await Promise.all(during), [2, 2, 2], 'they see a run that began after they asked');
  // Idle again: the next caller starts its own run.
  const later = call();
  assert.equal(runs.length, 3);
  runs[2]!.resolve();
  assert.equal(await later, 3);
});

test('coalesced: a failed run fails its callers only; the next run still happens', async () => {
  const { fn, runs } = controlled();
  const call = coalesced(fn);
  const first = call();
  const second = call();
  runs[0]!.reject(new Error('engine away'));
  await assert.rejects(first, /engine away/);
  await tick();
  runs[1]!.resolve();
  assert.equal(await second, 2);
});

test('coalescedBy: keys are independent', async () => {
  const seen: string[] = [];
  const call = coalescedBy(async (key) => {
    seen.push(key);
    await tick();
    return key.toUpperCase();
  });
  assert.deepEqual(await Promise.all([call('a'), call('b'), call('a')]), ['A', 'B', 'A']);
  assert.deepEqual(seen.sort(), ['a', 'a', 'b'], 'a second "a" asked during the first runs once more');
});
