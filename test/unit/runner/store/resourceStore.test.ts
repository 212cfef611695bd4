import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, appendFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ResourceStore } from '../../../../runner/store/resourceStore';
import { ResourceApply, isApiError, type EnvironmentStatus, type WatchEvent } from '../../../../runner/api';
import { decodeRecords, encodeRecord } from '../../../../runner/store/journal';
import { removeProjects, tempDir } from '../../../helpers/project';

after(removeProjects);

const tmp = () => tempDir('devrig-store-');
const env = (name: string, folder = '/src/' + name, extra: Record<string, unknown> = {}) =>
  ResourceApply.parse({ kind: 'Environment', metadata: { name }, spec: { source: { folder }, ...extra } });

test('create assigns uid, generation 1, a resourceVersion and default status', async () => {
  const s = await ResourceStore.open(tmp());
  const e = await s.apply(env('a'));
  assert.equal(e.metadata.generation, 1);
  assert.match(e.metadata.uid, /^[0-9a-f-]{36}$/);
  assert.equal(e.metadata.resourceVersion, '1');
  assert.equal(e.kind === 'Environment' && e.status.phase, 'Pending');
  await s.close();
});

test('generation rises only when spec changes; labels-only change keeps it', async () => {
  const s = await ResourceStore.open(tmp());
  await s.apply(env('a'));
  const same = await s.apply(env('a'));
  assert.equal(same.metadata.resourceVersion, '1', 'identical apply is a no-op');
  const changed = await s.apply(env('a', '/src/other'));
  assert.equal(changed.metadata.generation, 2);
  const labelled = await s.apply({
    ...env('a', '/src/other'),
    metadata: { name: 'a', labels: { team: 'x' } },
  });
  assert.equal(labelled.metadata.generation, 2);
  assert.equal(labelled.metadata.labels.team, 'x');
  const st = await s.updateStatus('Environment', 'a', {
    ...s.mustGet('Environment', 'a').status,
    phase: 'Running',
  });
  assert.equal(st.metadata.generation, 2, 'status writes never bump generation');
  await s.close();
});

test('a stale resourceVersion is a conflict and the stored spec is unchanged', async () => {
  const s = await ResourceStore.open(tmp());
  const first = await s.apply(env('a'));
  await s.apply(env('a', '/src/b'));
  await assert.rejects(
    s.apply({
      ...env('a', '/src/c'),
      metadata: { name: 'a', resourceVersion: first.metadata.resourceVersion },
    }),
    (e) => isApiError(e, 'Conflict') && /changed since you read it/.test(e.message),
  );
  assert.equal(s.mustGet('Environment', 'a').spec.source.folder, '/src/b');
  await s.close();
});

test('reload keeps every acknowledged write and the resourceVersion keeps rising', async () => {
  const dir = tmp();
  const s = await ResourceStore.open(dir);
  for (let i = 0; i < 20; i++) await s.apply(env(`e${i}`));
  await s.delete('Environment', 'e3');
  await s.close();
  const r = await ResourceStore.open(dir);
  assert.equal(r.list('Environment').length, 19);
  assert.equal(r.get('Environment', 'e3'), undefined);
  const next = await r.apply(env('new'));
  assert.equal(Number(next.metadata.resourceVersion), 22);
  await r.close();
});

test('compaction into a snapshot loses nothing', async () => {
  const dir = tmp();
  const s = await ResourceStore.open(dir, { compactAfter: 5 });
  for (let i = 0; i < 17; i++) await s.apply(env(`e${i}`));
  await s.close();
  assert.ok(statSync(join(dir, 'snapshot.json')).size > 0);
  const r = await ResourceStore.open(dir, { compactAfter: 5 });
  assert.equal(r.list('Environment').length, 17);
  assert.equal(r.resourceVersion, '17');
  await r.close();
});

test('a torn last journal line (crash mid-append) is cut off; earlier records load', async () => {
  const dir = tmp();
  const s = await ResourceStore.open(dir);
  await s.apply(env('a'));
  await s.apply(env('b'));
  await s.close();
  const good = readFileSync(join(dir, 'journal.log'), 'utf8');
  appendFileSync(join(dir, 'journal.log'), encodeRecord({ op: 'put', rv: 3, object: {} }).slice(0, 30));
  const r = await ResourceStore.open(dir);
  assert.deepEqual(
    r.list('Environment').map((e) => e.metadata.name),
    ['a', 'b'],
  );
  assert.equal(readFileSync(join(dir, 'journal.log'), 'utf8'), good, 'the torn tail was removed');
  await r.apply(env('c'));
  await r.close();
  const again = await ResourceStore.open(dir);
  assert.equal(again.list('Environment').length, 3);
  await again.close();
});

test('a corrupted checksum mid-file is damage, not the end of the journal (store-damage.test.ts)', () => {
  const lines = [
    encodeRecord({ n: 1 }),
    encodeRecord({ n: 2 }).replace('"n":2', '"n":3'),
    encodeRecord({ n: 4 }),
  ];
  assert.throws(() => decodeRecords(lines.join('')), /line 2 \(byte 17\): checksum mismatch/);
});

test('delete with a finalizer marks deletionTimestamp; removing the finalizer removes the object', async () => {
  const s = await ResourceStore.open(tmp());
  await s.apply(env('a'));
  await s.setFinalizers('Environment', 'a', ['devrig.dev/cleanup']);
  const marked = await s.delete('Environment', 'a');
  assert.ok(marked.metadata.deletionTimestamp);
  assert.ok(s.get('Environment', 'a'));
  await assert.rejects(s.apply(env('a', '/x')), (e) => isApiError(e, 'Conflict'));
  await s.setFinalizers('Environment', 'a', []);
  assert.equal(s.get('Environment', 'a'), undefined);
  await s.close();
});

test('watch: initial ADDED, then changes; resume from a resourceVersion; too old is Expired', async () => {
  const s = await ResourceStore.open(tmp(), { historySize: 3 });
  await s.apply(env('a'));
  const seen: (WatchEvent & { resourceVersion: string })[] = [];
  const stop = s.watch({ kind: 'Environment' }, (e) => seen.push(e));
  await s.apply(env('a', '/y'));
  await s.apply(env('b'));
  await s.delete('Environment', 'b');
  stop();
  assert.deepEqual(
    seen.map((e) => `${e.type} ${e.object.metadata.name} ${e.resourceVersion}`),
    ['ADDED a 1', 'MODIFIED a 2', 'ADDED b 3', 'DELETED b 4'],
  );
  const resumed: string[] = [];
  s.watch({ resourceVersion: '2' }, (e) => resumed.push(`${e.type} ${e.object.metadata.name}`))();
  assert.deepEqual(resumed, ['ADDED b', 'DELETED b']);
  assert.throws(
    () => s.watch({ resourceVersion: '0' }, () => {}),
    (e) => isApiError(e, 'Expired'),
  );
  await s.close();
});

test('concurrent applies are serialised: every one acknowledged, versions unique', async () => {
  const s = await ResourceStore.open(tmp());
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => s.apply(env(`c${i}`))));
  const rvs = new Set(results.map((r) => r.metadata.resourceVersion));
  assert.equal(rvs.size, 50);
  await s.close();
});

test('an unreadable snapshot object is skipped, not fatal', async () => {
  const dir = tmp();
  writeFileSync(
    join(dir, 'snapshot.json'),
    JSON.stringify({ rv: 5, objects: [{ kind: 'Environment', bogus: 1 }] }),
  );
  const logs: string[] = [];
  const s = await ResourceStore.open(dir, { log: (m) => logs.push(m) });
  assert.equal(s.list('Environment').length, 0);
  assert.equal(s.resourceVersion, '5');
  assert.match(logs.join('\n'), /unreadable object/);
  assert.match(readFileSync(join(dir, 'quarantine.json'), 'utf8'), /bogus/);
  await s.close();
});

test('stored objects are private: changing what was written or read does not change the store', async () => {
  const s = await ResourceStore.open(tmp());
  await s.apply(env('a'));
  const status: EnvironmentStatus = { ...s.mustGet('Environment', 'a').status, phase: 'Running' };
  await s.updateStatus('Environment', 'a', status);
  status.phase = 'Failed';
  assert.equal(s.mustGet('Environment', 'a').status.phase, 'Running');
  const read = s.mustGet('Environment', 'a');
  assert.throws(() => {
    (read.status as { phase: string }).phase = 'Stopped';
  }, TypeError);
  await s.close();
});
