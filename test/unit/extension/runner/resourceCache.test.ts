import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, type Resource, type WatchEvent } from '../../../../runner/api';
import { ResourceCache, type CacheChange } from '../../../../extension/runner/resourceCache';
import { waitForEnvironment } from '../../../../extension/environments/waitForEnvironment';
import { cond, env, host } from '../../../helpers/resources';

/** A runner connection in memory: list answers from `objects`, watch streams what `push` sends. */
function fakeClient(objects: Resource[], rv = '10') {
  let onEvent: ((e: WatchEvent) => void) | undefined;
  let endWatch: ((e?: Error) => void) | undefined;
  const watches: { resourceVersion?: string }[] = [];
  const c = {
    isOpen: true,
    watches,
    call: async (method: string, p: { kind: string }) => {
      assert.equal(method, 'list');
      return { items: objects.filter((o) => o.kind === p.kind), resourceVersion: rv };
    },
    stream: async (method: string, p: { resourceVersion?: string }, cb: (e: WatchEvent) => void) => {
      assert.equal(method, 'watch');
      watches.push(p);
      onEvent = cb;
      const done = new Promise<void>((res, rej) => (endWatch = (e) => (e ? rej(e) : res())));
      done.catch(() => {});
      return { id: watches.length, result: { resourceVersion: rv }, done, cancel: async () => {} };
    },
    push: (type: WatchEvent['type'], object: Resource) => onEvent?.({ type, object }),
    end: (e?: Error) => endWatch?.(e),
  };
  return c;
}

const withRv = <T extends Resource>(r: T, rv: number): T => ({
  ...r,
  metadata: { ...r.metadata, resourceVersion: String(rv) },
});

test('lists, then watches from the list version; applies events in order; skips replays older than the list', async () => {
  const cache = new ResourceCache();
  const changes: CacheChange['type'][] = [];
  cache.on('change', (c) => changes.push(c.type));
  const client = fakeClient([withRv(env('a', 'Running'), 9), withRv(host('box', 'Ready'), 5)]);
  await cache.attach(client as never);
  assert.ok(cache.synced && cache.hasData);
  assert.deepEqual(client.watches, [{ resourceVersion: '10' }]);
  assert.deepEqual(
    cache.environments().map((e) => e.metadata.name),
    ['a'],
  );
  assert.deepEqual(
    cache.hosts().map((h) => h.metadata.name),
    ['box'],
  );
  client.push('MODIFIED', withRv(env('a', 'Running'), 8)); // older than what the list returned
  assert.equal(cache.environment('a')!.metadata.resourceVersion, '9');
  client.push('MODIFIED', withRv(env('a', 'Stopping'), 11));
  client.push('ADDED', withRv(env('b', 'Pending'), 12));
  client.push('DELETED', withRv(env('a', 'Stopping'), 13));
  assert.equal(cache.environment('a'), undefined);
  assert.equal(cache.environment('b')!.status.phase, 'Pending');
  assert.deepEqual(changes, ['synced', 'MODIFIED', 'ADDED', 'DELETED']);
});

test('a dropped connection keeps the objects (stale); the next connection re-lists and replaces them', async () => {
  const cache = new ResourceCache();
  await cache.attach(
    fakeClient([withRv(env('a', 'Running'), 3), withRv(env('gone', 'Running'), 4)]) as never,
  );
  cache.detach();
  assert.equal(cache.synced, false);
  assert.equal(cache.hasData, true);
  assert.equal(cache.environments().length, 2, 'the last known tree is kept');
  await cache.attach(fakeClient([withRv(env('a', 'Stopped'), 20)], '20') as never);
  assert.deepEqual(
    cache.environments().map((e) => [e.metadata.name, e.status.phase]),
    [['a', 'Stopped']],
  );
});

test('an Expired watch lists again on the same connection', async () => {
  const cache = new ResourceCache();
  const client = fakeClient([withRv(env('a', 'Running'), 1)], '1');
  await cache.attach(client as never);
  const relisted = new Promise<void>((r) => cache.once('change', (c) => c.type === 'synced' && r()));
  client.end(new ApiError('Expired', 'too old'));
  await relisted;
  assert.equal(client.watches.length, 2);
});

test('waitForEnvironment follows cache events to done, reports progress, and can be cancelled', async () => {
  const cache = new ResourceCache();
  const client = fakeClient([withRv(env('a', 'Running', { generation: 1 }), 1)], '1');
  await cache.attach(client as never);
  const progress: string[] = [];
  const waiting = waitForEnvironment({
    cache,
    name: 'a',
    generation: 2,
    want: 'Stopped',
    onProgress: (m) => progress.push(m),
  });
  client.push('MODIFIED', withRv(env('a', 'Stopping', { generation: 2, observedGeneration: 2 }), 2));
  client.push('MODIFIED', withRv(env('a', 'Stopped', { generation: 2, observedGeneration: 2 }), 3));
  const r = await waiting;
  assert.equal(r.state, 'done');
  assert.deepEqual(progress, ['Running', 'Stopping']);

  const failing = waitForEnvironment({ cache, name: 'a', generation: 3, want: 'Running' });
  client.push(
    'MODIFIED',
    withRv(
      env('a', 'Failed', {
        generation: 3,
        conditions: [cond('ImageReady', 'False', 'PullFailed', 'registry unreachable', 3)],
      }),
      4,
    ),
  );
  const f = await failing;
  assert.equal(f.state, 'failed');
  assert.equal(f.state === 'failed' && f.message, 'registry unreachable');

  const ac = new AbortController();
  const cancelled = waitForEnvironment({
    cache,
    name: 'a',
    generation: 9,
    want: 'Running',
    signal: ac.signal,
  });
  ac.abort();
  assert.equal((await cancelled).state, 'cancelled');
  assert.equal(cache.listenerCount('change'), 0, 'waiters unsubscribe');
});

test('waitForEnvironment: a new environment may appear later; deletion is seen', async () => {
  const cache = new ResourceCache();
  const client = fakeClient([], '1');
  await cache.attach(client as never);
  const created = waitForEnvironment({ cache, name: 'n', generation: 1, want: 'Running' });
  client.push('ADDED', withRv(env('n', 'Pending'), 2));
  client.push('MODIFIED', withRv(env('n', 'Running'), 3));
  assert.equal((await created).state, 'done');
  const deleted = waitForEnvironment({ cache, name: 'n', generation: 1, want: 'Deleted' });
  client.push('DELETED', withRv(env('n', 'Deleting'), 4));
  assert.equal((await deleted).state, 'deleted');
});
