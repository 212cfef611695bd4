import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ResourceApply, type WatchEvent } from '../../../../runner/api';
import { decodeRecords, encodeRecord, Journal } from '../../../../runner/store/journal';
import { ResourceStore } from '../../../../runner/store/resourceStore';
import { removeProjects, tempDir } from '../../../helpers/project';

after(removeProjects);

type WriteChunk = (chunk: Buffer) => Promise<{ bytesWritten: number }>;

/** The journal's file handle, to make its writes misbehave the way a full or failing disk does. */
const handleOf = (j: Journal) => (j as unknown as { fh: FileHandle }).fh;
const journalOf = (s: ResourceStore) => (s as unknown as { journal: Journal }).journal;

/** Makes `fh.write` call `fake` with the bytes asked for (and the real write) until restored. */
function interceptWrites(fh: FileHandle, fake: (write: WriteChunk, chunk: Buffer, call: number) => unknown) {
  const real = fh.write.bind(fh) as (b: Buffer, o: number, l: number) => Promise<{ bytesWritten: number }>;
  const write: WriteChunk = (chunk) => real(chunk, 0, chunk.length);
  let calls = 0;
  (fh as { write: unknown }).write = (data: string | Buffer, off?: number, len?: number) => {
    const buf = Buffer.from(data);
    const start = typeof data === 'string' ? 0 : (off ?? 0);
    return fake(write, buf.subarray(start, start + (len ?? buf.length - start)), calls++);
  };
  return () => delete (fh as { write?: unknown }).write;
}

const eio = () => Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });

test('short writes: append keeps writing until the whole record is on disk', async () => {
  const path = join(tempDir('devrig-journal-'), 'journal.log');
  const { journal } = await Journal.open(path);
  let calls = 0;
  interceptWrites(handleOf(journal), (write, chunk) => {
    calls++;
    return write(chunk.subarray(0, 7));
  });
  const record = { op: 'put', rv: 1, object: { name: 'a'.repeat(40) } };
  await journal.append(record);
  assert.ok(calls > 1, 'the record took several writes');
  assert.equal(readFileSync(path, 'utf8'), encodeRecord(record));
  await journal.close();
});

test('a write that fails half-way is cut off: the next append follows the last whole record', async () => {
  const path = join(tempDir('devrig-journal-'), 'journal.log');
  const { journal } = await Journal.open(path);
  await journal.append({ rv: 1 });
  const restore = interceptWrites(handleOf(journal), async (write, chunk, call) => {
    // Part of the line reaches the file, then the disk fails.
    if (call === 0) return write(chunk.subarray(0, chunk.length >> 1));
    throw eio();
  });
  await assert.rejects(journal.append({ rv: 2, big: 'x'.repeat(100) }), /EIO/);
  assert.equal(readFileSync(path, 'utf8'), encodeRecord({ rv: 1 }), 'the torn half is gone');
  assert.equal(journal.records, 1);
  restore();
  await journal.append({ rv: 3 });
  await journal.close();
  const { records, validBytes } = decodeRecords(readFileSync(path, 'utf8'));
  assert.deepEqual(records, [{ rv: 1 }, { rv: 3 }]);
  assert.equal(validBytes, readFileSync(path).length);
});

test('a failed fsync is cut off too', async () => {
  const path = join(tempDir('devrig-journal-'), 'journal.log');
  const { journal } = await Journal.open(path);
  await journal.append({ rv: 1 });
  const fh = handleOf(journal);
  (fh as { datasync: unknown }).datasync = async () => {
    throw eio();
  };
  await assert.rejects(journal.append({ rv: 2 }), /EIO/);
  delete (fh as { datasync?: unknown }).datasync;
  assert.equal(readFileSync(path, 'utf8'), encodeRecord({ rv: 1 }));
  await journal.append({ rv: 3 });
  await journal.close();
  assert.deepEqual(decodeRecords(readFileSync(path, 'utf8')).records, [{ rv: 1 }, { rv: 3 }]);
});

test('when cutting off fails as well, the next append cuts it off before writing', async () => {
  const path = join(tempDir('devrig-journal-'), 'journal.log');
  const { journal } = await Journal.open(path);
  await journal.append({ rv: 1 });
  const fh = handleOf(journal);
  const restoreWrites = interceptWrites(fh, async (write, chunk) => {
    await write(chunk.subarray(0, 5));
    throw eio();
  });
  (fh as { truncate: unknown }).truncate = async () => {
    throw eio();
  };
  await assert.rejects(journal.append({ rv: 2 }), /EIO/);
  assert.notEqual(readFileSync(path, 'utf8'), encodeRecord({ rv: 1 }), 'the torn bytes are still there');
  restoreWrites();
  delete (fh as { truncate?: unknown }).truncate;
  await journal.append({ rv: 3 });
  await journal.close();
  assert.deepEqual(decodeRecords(readFileSync(path, 'utf8')).records, [{ rv: 1 }, { rv: 3 }]);
});

test('a store write the journal refused changes nothing: version, objects and watchers stay', async () => {
  const dir = tempDir('devrig-store-');
  const env = (folder: string) =>
    ResourceApply.parse({ kind: 'Environment', metadata: { name: 'a' }, spec: { source: { folder } } });
  const s = await ResourceStore.open(dir);
  await s.apply(env('/src/one'));
  const events: WatchEvent[] = [];
  s.watch({ resourceVersion: s.resourceVersion }, (e) => events.push(e));
  const restore = interceptWrites(handleOf(journalOf(s)), async () => {
    throw eio();
  });
  await assert.rejects(s.apply(env('/src/two')), /EIO/);
  await assert.rejects(s.delete('Environment', 'a'), /EIO/);
  assert.equal(s.resourceVersion, '1');
  assert.equal(s.mustGet('Environment', 'a').spec.source.folder, '/src/one');
  assert.deepEqual(events, []);
  restore();
  const applied = await s.apply(env('/src/three'));
  assert.equal(applied.metadata.resourceVersion, '2');
  assert.equal(events.length, 1);
  await s.close();
  const reopened = await ResourceStore.open(dir);
  assert.equal(reopened.resourceVersion, '2');
  assert.equal(reopened.mustGet('Environment', 'a').spec.source.folder, '/src/three');
  await reopened.close();
});

test('after a reset, a write cut off half-way leaves no hole: the next record follows the last whole one', async () => {
  const path = join(tempDir('devrig-journal-'), 'journal.log');
  const { journal } = await Journal.open(path);
  await journal.append({ rv: 1 });
  await journal.reset({ op: 'snapshot', rv: 1, sha256: 'x' });
  const restore = interceptWrites(handleOf(journal), async (write, chunk, call) => {
    if (call === 0) return write(chunk.subarray(0, chunk.length >> 1));
    throw eio();
  });
  await assert.rejects(journal.append({ rv: 2, big: 'x'.repeat(100) }), /EIO/);
  restore();
  await journal.append({ rv: 3 });
  await journal.close();
  assert.deepEqual(decodeRecords(readFileSync(path, 'utf8')).records, [
    { op: 'snapshot', rv: 1, sha256: 'x' },
    { rv: 3 },
  ]);
});
