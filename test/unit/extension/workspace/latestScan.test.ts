// Folder scans that overlap: the latest one wins, whatever order they finish in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatestScan } from '../../../../extension/workspace/latestScan';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

test('overlapping scans finishing out of order: the later scan wins, the earlier result is dropped', async () => {
  const results: string[] = [];
  const scans = new LatestScan<string>((v) => results.push(v));
  const first = deferred<string>();
  const second = deferred<string>();
  const a = scans.run(() => first.promise);
  const b = scans.run(() => second.promise);
  second.resolve('new');
  await b;
  first.resolve('stale');
  await a;
  assert.equal(scans.value, 'new');
  assert.deepEqual(results, ['new'], 'no change event for the stale result');
});

test('ready() waits for the scan in flight, also one started while it waited', async () => {
  const scans = new LatestScan<number>();
  const first = deferred<number>();
  const second = deferred<number>();
  void scans.run(() => first.promise);
  let ready = false;
  const waiting = scans.ready(async () => 0).then(() => (ready = true));
  void scans.run(() => second.promise);
  first.resolve(1);
  await new Promise((r) => setImmediate(r));
  assert.equal(ready, false, 'the first scan is done but a newer one runs');
  second.resolve(2);
  await waiting;
  assert.equal(scans.value, 2);
});

test('ready() before any scan starts one', async () => {
  const scans = new LatestScan<string>();
  await scans.ready(async () => 'scanned');
  assert.equal(scans.value, 'scanned');
  let again = 0;
  await scans.ready(async () => String(++again));
  assert.equal(again, 0, 'a finished scan is not repeated');
});
