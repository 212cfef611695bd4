import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findNodeAtLocation, getNodeValue, parseTree, type ParseError } from 'jsonc-parser';
import { writeFileAtomic } from '../state/privateFile';
import { decodeLine, encodeRecord } from './journal';
import { asJournalRecord, type JournalRecord } from './records';
import { decodeSnapshot, encodeSnapshot } from './snapshot';
import { StoreDamagedError } from './storeDamage';
import { JOURNAL_FILE, loadStoreFiles, SNAPSHOT_FILE } from './storeFiles';

/** A stretch of a store file that could not be read; its bytes are in the backup. */
export type UnreadablePart = { file: string; offset: number; length: number; problem: string };

/** `repaired: false`: the store loads as it is, and nothing was changed. */
export type RepairReport = { repaired: false } | Repaired;

export type Repaired = {
  repaired: true;
  /** Where the original files were copied before anything was rewritten. */
  backup: string;
  objects: number;
  resourceVersion: number;
  /** Journal records that were read and kept. */
  records: number;
  unreadable: UnreadablePart[];
  /** Versions no readable record holds (their changes were in the unreadable parts). */
  missing: string[];
  notes: string[];
};

/** No journal line is shorter than this (a delete of a one-letter name), so bytes bound records. */
const MIN_RECORD_BYTES = 40;

type Salvaged = { rv?: number; objects: unknown[]; unreadable?: UnreadablePart; note?: string };

/**
 * Makes a damaged store load again, keeping every record it can read: the snapshot's objects (all
 * that parse whole, when it is cut short), then every readable journal record in order. The original
 * files are copied to `damaged-<time>/` first (with a list of what could not be read), then a new
 * snapshot and journal replace them. Run it with the runner stopped. A store that loads is left alone.
 */
export async function repairStore(dir: string, now = new Date()): Promise<RepairReport> {
  try {
    const loaded = await loadStoreFiles(dir);
    await loaded.journal.close();
    return { repaired: false };
  } catch (e) {
    if (!(e instanceof StoreDamagedError)) throw e;
  }
  const snapshotPath = join(dir, SNAPSHOT_FILE);
  const journalPath = join(dir, JOURNAL_FILE);
  const snapshotText = await readFile(snapshotPath, 'utf8').catch(() => undefined);
  const journalBytes = await readFile(journalPath).catch(() => undefined);
  const notes: string[] = [];
  const unreadable: UnreadablePart[] = [];

  const snap = snapshotText === undefined ? { objects: [] } : salvageSnapshot(snapshotText, snapshotPath);
  if (snap.unreadable) unreadable.push(snap.unreadable);
  if (snap.note) notes.push(snap.note);
  const journal = journalBytes ? readRecords(journalBytes, journalPath) : { records: [], unreadable: [] };
  unreadable.push(...journal.unreadable);

  // Objects by kind/name: the snapshot's, then each change after it, in version order.
  const objects = new Map<string, unknown>();
  for (const o of snap.objects) {
    const k = objectKey(o);
    if (k) objects.set(k, o);
  }
  const from = snap.rv ?? 0;
  let rv = from;
  const seen = new Set<number>();
  const changes = journal.records
    .filter((r) => r.op !== 'snapshot' && r.rv > from)
    .sort((a, b) => a.rv - b.rv);
  for (const r of journal.records) if (r.op === 'snapshot') rv = Math.max(rv, r.rv);
  for (const change of changes) {
    seen.add(change.rv);
    rv = Math.max(rv, change.rv);
    if (change.op === 'put') {
      const k = objectKey(change.object);
      if (k) objects.set(k, change.object);
      else notes.push(`resourceVersion ${change.rv}: a change without a kind and name was left out`);
    } else if (change.op === 'delete') objects.delete(`${change.kind}/${change.name}`);
  }
  const missing = gaps(from, rv, seen);
  // Versions must never go back (clients compare them): jump past as many changes as the unreadable
  // part of the journal could have held.
  const unreadableJournal = journal.unreadable.reduce((n, p) => n + p.length, 0);
  if (unreadableJournal > 0) {
    const bound = Math.ceil(unreadableJournal / MIN_RECORD_BYTES);
    rv += bound;
    notes.push(
      `versions continue from ${rv}: the unreadable part of ${JOURNAL_FILE} held at most ${bound} changes`,
    );
  }
  if (snap.rv === undefined && snapshotText !== undefined) {
    notes.push('the snapshot’s resourceVersion could not be read; versions continue from the journal’s');
  }

  const backup = join(dir, `damaged-${now.toISOString().replace(/[:.]/g, '-')}`);
  await mkdir(backup, { recursive: true, mode: 0o700 });
  if (snapshotText !== undefined) await copyFile(snapshotPath, join(backup, SNAPSHOT_FILE));
  if (journalBytes) await copyFile(journalPath, join(backup, JOURNAL_FILE));
  await writeFile(join(backup, 'unreadable.txt'), describeUnreadable(unreadable, missing, notes), {
    mode: 0o600,
  });

  const snapshot = encodeSnapshot(rv, [...objects.values()]);
  await writeFileAtomic(snapshotPath, snapshot.text, 0o600);
  await writeFileAtomic(journalPath, encodeRecord({ op: 'snapshot', rv, sha256: snapshot.sha256 }), 0o600);
  // What was written must load: a repair that does not is a bug, said here rather than at the next start.
  const check = await loadStoreFiles(dir);
  await check.journal.close();
  return {
    repaired: true,
    backup,
    objects: objects.size,
    resourceVersion: rv,
    records: changes.length,
    unreadable,
    missing,
    notes,
  };
}

function objectKey(o: unknown): string | undefined {
  const obj = o as { kind?: unknown; metadata?: { name?: unknown } } | undefined;
  return typeof obj?.kind === 'string' && typeof obj.metadata?.name === 'string'
    ? `${obj.kind}/${obj.metadata.name}`
    : undefined;
}

/** The snapshot's objects: all of them when it reads whole, else those that end before the damage. */
function salvageSnapshot(text: string, file: string): Salvaged {
  try {
    const snap = decodeSnapshot(text, file);
    return { rv: snap.rv, objects: snap.objects };
  } catch (e) {
    if (!(e instanceof StoreDamagedError)) throw e;
  }
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  const limit = errors[0]?.offset ?? text.length;
  const whole = (n: { offset: number; length: number } | undefined) => !!n && n.offset + n.length <= limit;
  const rvNode = root && findNodeAtLocation(root, ['rv']);
  const rv =
    whole(rvNode) && Number.isInteger(getNodeValue(rvNode!)) ? (getNodeValue(rvNode!) as number) : undefined;
  const items = (root && findNodeAtLocation(root, ['objects'])?.children) ?? [];
  const objects = items.filter((n) => n.type === 'object' && whole(n)).map((n) => getNodeValue(n) as unknown);
  if (errors.length === 0) {
    return {
      rv,
      objects,
      note: `${SNAPSHOT_FILE} failed its checksum but reads as JSON: its ${objects.length} objects were kept as they read`,
    };
  }
  const offset = Buffer.byteLength(text.slice(0, limit));
  return {
    rv,
    objects,
    unreadable: {
      file,
      offset,
      length: Buffer.byteLength(text) - offset,
      problem: `cut short or damaged; ${objects.length} whole objects before it were kept`,
    },
  };
}

/** Every line that is a record (a CRLF line too); the others as unreadable parts. */
function readRecords(
  bytes: Buffer,
  file: string,
): { records: JournalRecord[]; unreadable: UnreadablePart[] } {
  const records: JournalRecord[] = [];
  const unreadable: UnreadablePart[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const nl = bytes.indexOf(0x0a, offset);
    const end = nl < 0 ? bytes.length : nl;
    let line = bytes.subarray(offset, end);
    if (line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
    const decoded = line.length === 0 ? undefined : decodeLine(line);
    const record = decoded && 'record' in decoded ? asJournalRecord(decoded.record) : undefined;
    if (record) records.push(record);
    else if (decoded) {
      const problem = 'problem' in decoded ? decoded.problem : 'not a change this devrig knows';
      unreadable.push({
        file,
        offset,
        length: end - offset,
        problem: nl < 0 ? `${problem} (at the end)` : problem,
      });
    }
    offset = end + 1;
  }
  return { records, unreadable };
}

/** `["4", "7–9"]`: the versions after `from` up to `to` that no record holds. */
function gaps(from: number, to: number, seen: Set<number>): string[] {
  const out: string[] = [];
  for (let v = from + 1; v <= to; v++) {
    if (seen.has(v)) continue;
    let end = v;
    while (end + 1 <= to && !seen.has(end + 1)) end++;
    out.push(end === v ? String(v) : `${v}–${end}`);
    v = end;
  }
  return out;
}

function describeUnreadable(parts: UnreadablePart[], missing: string[], notes: string[]): string {
  const lines = [
    'devrig runner repair: what could not be read (the original files are beside this one)',
    ...parts.map((p) => `${p.file}: bytes ${p.offset}–${p.offset + p.length}: ${p.problem}`),
    ...(missing.length ? [`resourceVersions with no readable record: ${missing.join(', ')}`] : []),
    ...notes,
  ];
  return lines.join('\n') + '\n';
}
