import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import type { ContainerProvider } from '../../../../../runner/providers/provider';
import { MARKER_DIR, MarkerStore } from '../../../../../runner/reconcile/environment/markers';

/** A provider whose containers hold `inside` (markers an older runner wrote), counting archive calls. */
function fakeProvider(inside: Record<string, Record<string, string>> = {}) {
  const calls = { get: 0, put: 0 };
  const provider = {
    name: 'local',
    getArchive: async (id: string, path: string): Promise<Readable | undefined> => {
      calls.get++;
      assert.equal(path, MARKER_DIR);
      const files = inside[id];
      if (!files) return undefined;
      const p = pack();
      for (const [k, v] of Object.entries(files)) p.entry({ name: `markers/${k}` }, v);
      p.finalize();
      return p as unknown as Readable;
    },
    putArchive: async () => {
      calls.put++;
    },
  };
  return { provider: provider as unknown as ContainerProvider, calls };
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'devrig-markers-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'markers');
}

test('marker store: markers survive a runner restart in the state folder, asking nothing of the engine', async (t) => {
  const dir = tempDir(t);
  const { provider, calls } = fakeProvider();
  const first = new MarkerStore(dir);
  first.created(provider, 'c1');
  await first.write(provider, 'c1', { created: 'done' });
  await first.write(provider, 'c1', { postStart: 't1' });
  assert.deepEqual(calls, { get: 0, put: 0 }, 'a new container is not looked into, nor written to');

  const second = new MarkerStore(dir);
  assert.deepEqual(await second.get(provider, 'c1'), { created: 'done', postStart: 't1' });
  assert.deepEqual(calls, { get: 0, put: 0 });
  const files = readdirSync(dir);
  assert.equal(files.length, 1);
  assert.equal(statSync(join(dir, files[0]!)).mode & 0o777, 0o600, 'private to the user');
  assert.equal(statSync(dir).mode & 0o777, 0o700);
});

test('marker store: concurrent writers (reconciler, dotfiles) keep each other’s keys, the last value wins', async (t) => {
  const dir = tempDir(t);
  const { provider } = fakeProvider();
  const store = new MarkerStore(dir);
  store.created(provider, 'c1');
  await Promise.all([
    store.write(provider, 'c1', { created: 'done' }),
    store.write(provider, 'c1', { dotfiles: '{"ok":true}' }),
    store.write(provider, 'c1', { postStart: 't1' }),
    store.write(provider, 'c1', { postStart: 't2' }),
  ]);
  assert.deepEqual(await new MarkerStore(dir).get(provider, 'c1'), {
    created: 'done',
    dotfiles: '{"ok":true}',
    postStart: 't2',
  });
});

test('marker store: an older runner’s markers in the container are read once and kept here from then on', async (t) => {
  const dir = tempDir(t);
  const { provider, calls } = fakeProvider({ old: { created: 'done', postStart: 't0' } });
  assert.deepEqual(await new MarkerStore(dir).get(provider, 'old'), { created: 'done', postStart: 't0' });
  assert.equal(calls.get, 1);
  assert.deepEqual(await new MarkerStore(dir).get(provider, 'old'), { created: 'done', postStart: 't0' });
  assert.equal(calls.get, 1, 'the second runner read them from the state folder');
});

test('marker store: forget removes the file; a damaged file falls back to the container', async (t) => {
  const dir = tempDir(t);
  const { provider } = fakeProvider({ c2: { created: 'done' } });
  const store = new MarkerStore(dir);
  store.created(provider, 'c1');
  await store.write(provider, 'c1', { created: 'done' });
  await store.forget(provider, 'c1');
  assert.deepEqual(readdirSync(dir), []);
  assert.deepEqual(await new MarkerStore(dir).get(provider, 'c1'), {}, 'a container with none');

  await store.write(provider, 'c2', { postStart: 't' });
  const [file] = readdirSync(dir);
  writeFileSync(join(dir, file!), '{not json');
  assert.deepEqual(await new MarkerStore(dir).get(provider, 'c2'), { created: 'done' });
});

test('marker store: the same container id on two hosts are two containers', async (t) => {
  const dir = tempDir(t);
  const a = fakeProvider().provider;
  const b = { ...fakeProvider().provider, name: 'host-b' } as ContainerProvider;
  const store = new MarkerStore(dir);
  store.created(a, 'c1');
  store.created(b, 'c1');
  await store.write(a, 'c1', { created: 'done' });
  assert.deepEqual(await new MarkerStore(dir).get(b, 'c1'), {});
});

test('marker store: without a folder, markers are written into the container (as before)', async () => {
  const { provider, calls } = fakeProvider();
  const store = new MarkerStore();
  store.created(provider, 'c1');
  await store.write(provider, 'c1', { created: 'done' });
  assert.equal(calls.put, 1);
  assert.deepEqual(await store.get(provider, 'c1'), { created: 'done' });
});
