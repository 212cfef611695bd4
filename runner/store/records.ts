// The journal's records, checked without zod (the CLI's repair command reads them too, and the
// CLI starts without loading zod).

export type PutRecord = { op: 'put'; rv: number; object: unknown };
export type DeleteRecord = { op: 'delete'; rv: number; kind: string; name: string };
/**
 * The first record of a journal started by compaction: the records after it continue from the
 * snapshot with this resourceVersion and checksum, so a missing or different snapshot is noticed.
 */
export type SnapshotMarker = { op: 'snapshot'; rv: number; sha256: string };
export type JournalRecord = PutRecord | DeleteRecord | SnapshotMarker;

const isRv = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** The record, when `raw` has the shape of one; undefined otherwise. */
export function asJournalRecord(raw: unknown): JournalRecord | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  if (!isRv(r.rv)) return undefined;
  switch (r.op) {
    case 'put':
      return 'object' in r ? (r as PutRecord) : undefined;
    case 'delete':
      return typeof r.kind === 'string' && typeof r.name === 'string' ? (r as DeleteRecord) : undefined;
    case 'snapshot':
      return typeof r.sha256 === 'string' ? (r as SnapshotMarker) : undefined;
    default:
      return undefined;
  }
}
