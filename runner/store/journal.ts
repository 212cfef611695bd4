import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { open, readFile, rename, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fsyncDir } from '../state/fsyncDir';
import { lineAt, StoreDamagedError } from './storeDamage';

/** A record read back, with where its line starts (for messages about it). */
export type JournalLine = { record: unknown; offset: number; line: number };

/**
 * An append-only log of records, one line each: `<crc32 hex> <json>\n`, fsynced
 * before an append resolves. A torn tail (a crash mid-append) fails its checksum
 * and is cut off on load; the records before it are intact. Any other damage stops
 * the load (StoreDamagedError) with the file untouched.
 */
export class Journal {
  /** A failed append may have left part of its line after `size`. */
  private torn = false;

  private constructor(
    private readonly path: string,
    private fh: FileHandle,
    private size: number,
    private count: number,
  ) {}

  static async open(path: string): Promise<{ journal: Journal; records: JournalLine[]; truncated: boolean }> {
    let bytes = Buffer.alloc(0);
    try {
      bytes = await readFile(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const { records, validBytes } = readJournal(bytes, path);
    const truncated = validBytes < bytes.length;
    if (truncated) await truncate(path, validBytes);
    const fh = await open(path, 'a', 0o600);
    return { journal: new Journal(path, fh, validBytes, records.length), records, truncated };
  }

  get records(): number {
    return this.count;
  }

  /**
   * Appends one record and makes it durable. A failed or short write never leaves a torn line
   * for a later append to follow: the file is cut back to the last whole record (now, or before
   * the next append if that fails too), and the error is thrown: the record is not in the journal.
   */
  async append(record: unknown): Promise<void> {
    if (this.torn) {
      await this.fh.truncate(this.size);
      this.torn = false;
    }
    const line = Buffer.from(encodeRecord(record));
    try {
      for (let off = 0; off < line.length;) {
        const { bytesWritten } = await this.fh.write(line, off, line.length - off);
        if (bytesWritten <= 0) throw new Error(`${this}: a write made no progress`);
        off += bytesWritten;
      }
      await this.fh.datasync();
    } catch (e) {
      this.torn = true;
      await this.fh.truncate(this.size).then(
        () => (this.torn = false),
        () => {},
      );
      throw e;
    }
    this.size += line.length;
    this.count++;
  }

  /**
   * Starts over with a file holding only `first` (after a snapshot made the records redundant; the
   * first record says which snapshot the ones after it continue from). The new file replaces the old
   * one atomically: a crash leaves either.
   */
  async reset(first: unknown): Promise<void> {
    const line = encodeRecord(first);
    const tmp = join(dirname(this.path), `.${basename(this.path)}.${randomBytes(6).toString('hex')}.tmp`);
    let fh: FileHandle | undefined;
    try {
      const writing = await open(tmp, 'wx', 0o600);
      try {
        await writing.writeFile(line);
        await writing.sync();
      } finally {
        await writing.close();
      }
      // Opened for appending (writes always go to the end, also after a cut-off) before it takes
      // the journal's place, so there is never a moment when the journal is in place but this
      // object cannot write to it.
      fh = await open(tmp, 'a', 0o600);
      await rename(tmp, this.path);
    } catch (e) {
      await fh?.close();
      await unlink(tmp).catch(() => {});
      throw e;
    }
    const old = this.fh;
    this.fh = fh;
    this.size = Buffer.byteLength(line);
    this.count = 0;
    this.torn = false;
    await old.close().catch(() => {});
    await fsyncDir(dirname(this.path));
  }

  async close(): Promise<void> {
    await this.fh.close();
  }

  toString(): string {
    return `Journal(${this.path})`;
  }
}

export function encodeRecord(record: unknown): string {
  const json = JSON.stringify(record);
  return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
}

const HEX = /^[0-9a-f]{8}$/;

/** The record on one line (without its \n), or why it is not one. */
export function decodeLine(line: Buffer): { record: unknown } | { problem: string } {
  if (line.length > 0 && line.every((b) => b === 0))
    return { problem: 'zero bytes where a record should be' };
  if (line.length < 10 || !HEX.test(line.toString('latin1', 0, 8)) || line[8] !== 0x20) {
    return { problem: 'not a record (no checksum at the start of the line)' };
  }
  const sum = line.toString('latin1', 0, 8);
  const json = line.subarray(9);
  const matches = (bytes: Buffer) => crc32(bytes).toString(16).padStart(8, '0') === sum;
  if (!matches(json)) {
    if (json[json.length - 1] === 0x0d && matches(json.subarray(0, -1))) {
      return { problem: 'the line ends in a carriage return (the file was converted to CRLF line endings)' };
    }
    return { problem: 'checksum mismatch (the record was changed after it was written)' };
  }
  try {
    return { record: JSON.parse(json.toString('utf8')) };
  } catch {
    return { problem: 'not JSON although its checksum matches' };
  }
}

/**
 * What a crash mid-append can leave after the last whole line: the start of a record (a prefix of
 * `<8 hex digits> {…`), with no line break and no zero bytes in it.
 */
function isTornRecord(tail: Buffer): boolean {
  if (tail.includes(0)) return false;
  const head = tail.toString('latin1', 0, 10);
  return /^[0-9a-f]{1,8}$/.test(head) || /^[0-9a-f]{8} (\{|$)/.test(head);
}

/**
 * Every record of a journal. Only a torn final record (no line break: its append never finished, so
 * it was never acknowledged) is left out, and `validBytes` ends before it; anything else that is not
 * a record throws a StoreDamagedError naming the line and byte.
 */
export function readJournal(bytes: Buffer, file: string): { records: JournalLine[]; validBytes: number } {
  const records: JournalLine[] = [];
  let offset = 0;
  let line = 1;
  for (; ; line++) {
    const nl = bytes.indexOf(0x0a, offset);
    if (nl < 0) break;
    const decoded = decodeLine(bytes.subarray(offset, nl));
    if ('problem' in decoded)
      throw new StoreDamagedError(file, `${lineAt(line, offset)}: ${decoded.problem}`, offset);
    records.push({ record: decoded.record, offset, line });
    offset = nl + 1;
  }
  const tail = bytes.subarray(offset);
  if (tail.length > 0 && !isTornRecord(tail)) {
    throw new StoreDamagedError(file, `${lineAt(line, offset)}: ${describeTail(tail)}`, offset);
  }
  if (tail.length > 1 && 'record' in decodeLine(tail.subarray(0, -1))) {
    // A whole record whose line break became something else: damage, not a cut-off append.
    throw new StoreDamagedError(
      file,
      `${lineAt(line, offset)}: the line break after the last record was changed`,
      offset,
    );
  }
  return { records, validBytes: offset };
}

function describeTail(tail: Buffer): string {
  if (tail.every((b) => b === 0)) return `${tail.length} zero bytes where records should be`;
  const problem = decodeLine(tail);
  return 'problem' in problem ? problem.problem : 'a record without its line break';
}

/** The records of a journal's text (tests and tools); throws on damage like loading does. */
export function decodeRecords(text: string): { records: unknown[]; validBytes: number } {
  const { records, validBytes } = readJournal(Buffer.from(text), '(journal)');
  return { records: records.map((r) => r.record), validBytes };
}
