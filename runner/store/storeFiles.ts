import { join } from 'node:path';
import { Journal } from './journal';
import { asJournalRecord, type DeleteRecord, type PutRecord } from './records';
import { readSnapshot, type Snapshot } from './snapshot';
import { lineAt, StoreDamagedError } from './storeDamage';

export const JOURNAL_FILE = 'journal.log';
export const SNAPSHOT_FILE = 'snapshot.json';

export type LoadedStoreFiles = {
  journal: Journal;
  snapshot?: Snapshot;
  /** The changes after the snapshot, in order, each exactly one resourceVersion after the one before. */
  changes: (PutRecord | DeleteRecord)[];
  /** A torn final record was cut off (a crash mid-append). */
  truncated: boolean;
};

/**
 * Opens a store's snapshot and journal and checks that together they are whole: every journal line is
 * a record, versions follow one another without a gap from the snapshot on, and the snapshot is the
 * one the journal continues from. Anything else is a StoreDamagedError, with the files untouched
 * (only a torn final record, which was never acknowledged, is cut off).
 */
export async function loadStoreFiles(dir: string): Promise<LoadedStoreFiles> {
  const snapshotPath = join(dir, SNAPSHOT_FILE);
  const journalPath = join(dir, JOURNAL_FILE);
  const snapshot = await readSnapshot(snapshotPath);
  const { journal, records, truncated } = await Journal.open(journalPath);
  try {
    return {
      journal,
      snapshot,
      changes: checkContinuity(records, snapshot, journalPath, snapshotPath),
      truncated,
    };
  } catch (e) {
    await journal.close();
    throw e;
  }
}

function checkContinuity(
  records: Awaited<ReturnType<typeof Journal.open>>['records'],
  snapshot: Snapshot | undefined,
  journalPath: string,
  snapshotPath: string,
): (PutRecord | DeleteRecord)[] {
  const from = snapshot?.rv ?? 0;
  const changes: (PutRecord | DeleteRecord)[] = [];
  let previous: number | undefined;
  for (const { record: raw, offset, line } of records) {
    const where = lineAt(line, offset);
    const record = asJournalRecord(raw);
    if (!record) throw new StoreDamagedError(journalPath, `${where}: not a change this devrig knows`, offset);
    if (record.op === 'snapshot') {
      if (line !== 1)
        throw new StoreDamagedError(journalPath, `${where}: a snapshot marker after the first line`, offset);
      if (!snapshot) {
        throw new StoreDamagedError(
          snapshotPath,
          `the file is missing, but ${JOURNAL_FILE} continues from its resourceVersion ${record.rv}`,
        );
      }
      if (snapshot.rv < record.rv || (snapshot.rv === record.rv && snapshot.sha256 !== record.sha256)) {
        throw new StoreDamagedError(
          snapshotPath,
          `not the snapshot ${JOURNAL_FILE} continues from (resourceVersion ${snapshot.rv}, checksum ${snapshot.sha256.slice(0, 12)}; expected ${record.rv}, ${record.sha256.slice(0, 12)})`,
        );
      }
      previous = record.rv;
      continue;
    }
    if (previous !== undefined && record.rv !== previous + 1) {
      throw new StoreDamagedError(
        journalPath,
        `${where}: resourceVersion ${record.rv} follows ${previous}: the changes in between are missing`,
        offset,
      );
    }
    previous = record.rv;
    // Already folded into the snapshot (a crash came between writing it and starting a new journal).
    if (record.rv <= from) continue;
    if (changes.length === 0 && record.rv !== from + 1) {
      const what = snapshot
        ? `the snapshot ends at ${from}`
        : `there is no ${SNAPSHOT_FILE} to hold 1–${record.rv - 1}`;
      throw new StoreDamagedError(
        journalPath,
        `${where}: the first change is resourceVersion ${record.rv}, but ${what}: changes are missing`,
        offset,
      );
    }
    changes.push(record);
  }
  return changes;
}
