// A store never drops records silently (issue 18): only a torn final record is a crash; any other
// damage stops loading with the file and where, leaves the files as they are, and `repair` recovers
// every intact record.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ResourceApply } from '../../../../runner/api';
import { encodeRecord } from '../../../../runner/store/journal';
import { repairStore } from '../../../../runner/store/repair';
import { ResourceStore } from '../../../../runner/store/resourceStore';
import { StoreDamagedError } from '../../../../runner/store/storeDamage';
import { removeProjects, tempDir } from '../../../helpers/project';

after(removeProjects);

const env = (name: string) =>
  ResourceApply.parse({
    kind: 'Environment',
    metadata: { name },
    spec: { source: { folder: `/src/${name}` } },
  });

/**
 * Seven environments a…g, then g deleted (rv 8). With `compactAfter: 5` the first five are folded
 * into snapshot.json and the journal holds a snapshot marker and rv 6–8.
 */
async function seededStore(compactAfter = 1000): Promise<string> {
  const dir = tempDir('devrig-damage-');
  const s = await ResourceStore.open(dir, { compactAfter });
  for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g']) await s.apply(env(name));
  await s.delete('Environment', 'g');
  await s.close();
  return dir;
}

const files = (dir: string) =>
  Object.fromEntries(
    ['journal.log', 'snapshot.json']
      .filter((f) => existsSync(join(dir, f)))
      .map((f) => [f, readFileSync(join(dir, f)).toString('base64')]),
  );

/** Where line `n` (1-based) of the journal starts. */
function lineOffset(dir: string, n: number): number {
  const bytes = readFileSync(join(dir, 'journal.log'));
  let offset = 0;
  for (let i = 1; i < n; i++) offset = bytes.indexOf(0x0a, offset) + 1;
  return offset;
}

type Case = {
  name: string;
  compactAfter?: number;
  damage(dir: string): void;
  /** The file the error names, and what it says. */
  file: 'journal.log' | 'snapshot.json';
  says: RegExp;
  /** Environments a repaired store holds (every intact record), and the versions reported lost. */
  recovered: string[];
  lost: string[];
};

const cases: Case[] = [
  {
    name: 'a flipped byte in a record mid-file',
    damage: (dir) => {
      const path = join(dir, 'journal.log');
      const bytes = readFileSync(path);
      // Inside the JSON of line 3 (environment c): a name that passes for valid JSON.
      const at = bytes.indexOf('"name":"c"', lineOffset(dir, 3)) + 9;
      bytes[at] = 'x'.charCodeAt(0);
      writeFileSync(path, bytes);
    },
    file: 'journal.log',
    says: /line 3 \(byte \d+\): checksum mismatch/,
    recovered: ['a', 'b', 'd', 'e', 'f'],
    lost: ['3'],
  },
  {
    name: 'CRLF line endings',
    damage: (dir) => {
      const path = join(dir, 'journal.log');
      writeFileSync(path, readFileSync(path, 'utf8').replace(/\n/g, '\r\n'));
    },
    file: 'journal.log',
    says: /line 1 \(byte 0\): the line ends in a carriage return \(the file was converted to CRLF/,
    recovered: ['a', 'b', 'c', 'd', 'e', 'f'],
    lost: [],
  },
  {
    name: 'a zeroed journal',
    compactAfter: 5,
    damage: (dir) => {
      const path = join(dir, 'journal.log');
      writeFileSync(path, Buffer.alloc(readFileSync(path).length));
    },
    file: 'journal.log',
    says: /line 1 \(byte 0\): \d+ zero bytes where records should be/,
    // The snapshot's five survive; the changes only the journal held (f, and g's create and delete) are lost.
    recovered: ['a', 'b', 'c', 'd', 'e'],
    lost: [],
  },
  {
    name: 'a missing snapshot the journal continues from',
    compactAfter: 5,
    damage: (dir) => rmSync(join(dir, 'snapshot.json')),
    file: 'snapshot.json',
    says: /the file is missing, but journal\.log continues from its resourceVersion 5/,
    recovered: ['f'],
    lost: ['1–5'],
  },
  {
    name: 'a truncated snapshot',
    compactAfter: 5,
    damage: (dir) => {
      const path = join(dir, 'snapshot.json');
      const text = readFileSync(path, 'utf8');
      // Cut inside the fourth object (d).
      truncateSync(path, Buffer.byteLength(text.slice(0, text.indexOf('"name":"d"'))));
    },
    file: 'snapshot.json',
    says: /checksum mismatch over bytes \d+–\d+ \(the file was cut short/,
    recovered: ['a', 'b', 'c', 'f'],
    lost: [],
  },
  {
    name: 'an empty snapshot',
    compactAfter: 5,
    damage: (dir) => writeFileSync(join(dir, 'snapshot.json'), ''),
    file: 'snapshot.json',
    says: /the file is empty \(0 bytes\)/,
    recovered: ['f'],
    lost: ['1–5'],
  },
];

for (const c of cases) {
  test(`damage: ${c.name} → a clear error, files untouched; repair recovers every intact record`, async () => {
    const dir = await seededStore(c.compactAfter);
    c.damage(dir);
    const before = files(dir);

    await assert.rejects(ResourceStore.open(dir), (e) => {
      assert.ok(e instanceof StoreDamagedError, String(e));
      assert.equal(e.file, join(dir, c.file));
      assert.match(e.message, c.says);
      assert.match(e.message, new RegExp(`^${join(dir, c.file)}: `));
      assert.match(e.message, /left as they are; `devrig runner repair` keeps every record it can read/);
      return true;
    });
    assert.deepEqual(files(dir), before, 'the files are exactly as they were');

    const report = await repairStore(dir, new Date('2030-01-02T03:04:05Z'));
    assert.ok(report.repaired);
    assert.deepEqual(report.missing, c.lost);
    // The originals are kept, with what could not be read.
    const backup = join(dir, 'damaged-2030-01-02T03-04-05-000Z');
    assert.equal(report.backup, backup);
    for (const [file, content] of Object.entries(before)) {
      assert.equal(readFileSync(join(backup, file)).toString('base64'), content, file);
    }
    assert.ok(readdirSync(backup).includes('unreadable.txt'));

    const s = await ResourceStore.open(dir);
    assert.deepEqual(
      s.list('Environment').map((e) => e.metadata.name),
      c.recovered,
    );
    // Versions never go back: clients resuming a watch see new changes as new.
    assert.ok(Number(s.resourceVersion) >= 8, s.resourceVersion);
    await s.apply(env('after'));
    await s.close();
    const again = await ResourceStore.open(dir);
    assert.equal(again.list('Environment').length, c.recovered.length + 1);
    await again.close();
  });
}

test('a torn final record is still a crash: cut off, the rest loads, no repair needed', async () => {
  const dir = await seededStore();
  writeFileSync(
    join(dir, 'journal.log'),
    readFileSync(join(dir, 'journal.log'), 'utf8') +
      encodeRecord({ op: 'put', rv: 9, object: {} }).slice(0, 25),
  );
  const s = await ResourceStore.open(dir);
  assert.equal(s.list('Environment').length, 6);
  await s.close();
  assert.deepEqual(await repairStore(dir), { repaired: false });
});

test('a final record whose line break was changed is damage, not a crash', async () => {
  const dir = await seededStore();
  const path = join(dir, 'journal.log');
  const bytes = readFileSync(path);
  bytes[bytes.length - 1] = 'x'.charCodeAt(0);
  writeFileSync(path, bytes);
  const before = files(dir);
  await assert.rejects(
    ResourceStore.open(dir),
    /line 8 \(byte \d+\): the line break after the last record was changed/,
  );
  assert.deepEqual(files(dir), before);
});

test('a gap in the versions (a line removed) is damage', async () => {
  const dir = await seededStore();
  const path = join(dir, 'journal.log');
  const lines = readFileSync(path, 'utf8').split('\n');
  lines.splice(3, 1);
  writeFileSync(path, lines.join('\n'));
  await assert.rejects(
    ResourceStore.open(dir),
    /line 4 \(byte \d+\): resourceVersion 5 follows 3: the changes in between are missing/,
  );
});

test('a journal that needs a snapshot it does not have (older format, no marker) is damage', async () => {
  const dir = tempDir('devrig-damage-');
  writeFileSync(
    join(dir, 'journal.log'),
    encodeRecord({ op: 'delete', rv: 7, kind: 'Environment', name: 'x' }),
  );
  await assert.rejects(
    ResourceStore.open(dir),
    /line 1 \(byte 0\): the first change is resourceVersion 7, but there is no snapshot\.json to hold 1–6/,
  );
});

test('snapshots written before they had a checksum still load', async () => {
  const dir = await seededStore(5);
  const s0 = await ResourceStore.open(dir);
  const objects = s0.list('Environment').filter((e) => ['a', 'b', 'c', 'd', 'e'].includes(e.metadata.name));
  await s0.close();
  writeFileSync(join(dir, 'snapshot.json'), JSON.stringify({ rv: 5, objects }));
  // An older runner's journal: emptied at compaction, with no marker.
  const journal = readFileSync(join(dir, 'journal.log'), 'utf8').split('\n').slice(1).join('\n');
  writeFileSync(join(dir, 'journal.log'), journal);
  const s = await ResourceStore.open(dir);
  assert.equal(s.list('Environment').length, 6);
  await s.close();
});

test('a crash between writing the snapshot and starting a new journal loads (the old records are in it)', async () => {
  const dir = tempDir('devrig-damage-');
  const s = await ResourceStore.open(dir);
  for (const name of ['a', 'b', 'c', 'd', 'e']) await s.apply(env(name));
  await s.close();
  const oldJournal = readFileSync(join(dir, 'journal.log'));
  const c = await ResourceStore.open(dir, { compactAfter: 1 });
  await c.apply(env('f'));
  await c.close();
  // The snapshot (rv 6) is in place; the journal is still the one from before compaction.
  writeFileSync(join(dir, 'journal.log'), oldJournal);
  const r = await ResourceStore.open(dir);
  assert.equal(r.list('Environment').length, 6);
  assert.equal(r.resourceVersion, '6');
  await r.close();
});
