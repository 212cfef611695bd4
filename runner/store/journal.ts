import { crc32 } from 'node:zlib';
import { open, readFile, truncate, type FileHandle } from 'node:fs/promises';

/**
 * An append-only log of records, one line each: `<crc32 hex> <json>\n`, fsynced
 * before an append resolves. A torn tail (a crash mid-append) fails its checksum
 * and is cut off on load; the records before it are intact.
 */
export class Journal {
  /** A failed append may have left part of its line after `size`. */
  private torn = false;

  private constructor(
    private readonly path: string,
    private readonly fh: FileHandle,
    private size: number,
    private count: number,
  ) {}

  static async open(path: string): Promise<{ journal: Journal; records: unknown[]; truncated: boolean }> {
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const { records, validBytes } = decodeRecords(text);
    const truncated = validBytes < Buffer.byteLength(text);
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

  /** Starts over with an empty file (after a snapshot made the records redundant). */
  async reset(): Promise<void> {
    await this.fh.truncate(0);
    await this.fh.sync();
    this.size = 0;
    this.count = 0;
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

/** Decodes lines until the first one that is incomplete or fails its checksum. */
export function decodeRecords(text: string): { records: unknown[]; validBytes: number } {
  const records: unknown[] = [];
  let offset = 0;
  let validBytes = 0;
  while (offset < text.length) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) break;
    const line = text.slice(offset, nl);
    const sp = line.indexOf(' ');
    if (sp !== 8) break;
    const json = line.slice(sp + 1);
    if (crc32(json).toString(16).padStart(8, '0') !== line.slice(0, 8)) break;
    try {
      records.push(JSON.parse(json));
    } catch {
      break;
    }
    offset = nl + 1;
    validBytes += Buffer.byteLength(line) + 1;
  }
  return { records, validBytes };
}
