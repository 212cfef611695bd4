import { createHash } from 'node:crypto';

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Outcomes of parsing (results and errors alike) by file and content hash, so a resync of an
 * unchanged config never parses it again. Bounded by entries and by the bytes of text they stand
 * for (what they hold grows with it); the least recently used go first.
 */
export class ParseCache<T> {
  private readonly entries = new Map<string, { outcome: Outcome<T>; bytes: number }>();
  private bytes = 0;

  constructor(
    private readonly maxEntries = 64,
    private readonly maxBytes = 16 * 1024 * 1024,
  ) {}

  /** `parse(text)`'s outcome for this file and text: remembered, or computed now. Errors are rethrown. */
  get(file: string, text: string, parse: (text: string) => T): T {
    const key = `${file}\0${createHash('sha256').update(text).digest('hex')}`;
    let entry = this.entries.get(key);
    if (entry) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, entry);
    } else {
      let outcome: Outcome<T>;
      try {
        outcome = { ok: true, value: parse(text) };
      } catch (error) {
        outcome = { ok: false, error };
      }
      entry = { outcome, bytes: text.length };
      this.add(key, entry);
    }
    if (!entry.outcome.ok) throw entry.outcome.error;
    return entry.outcome.value;
  }

  get size(): number {
    return this.entries.size;
  }

  private add(key: string, entry: { outcome: Outcome<T>; bytes: number }): void {
    this.entries.set(key, entry);
    this.bytes += entry.bytes;
    for (const [oldest, old] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      // The newest entry stays even when it alone is over the bytes bound: it is the one in use.
      if (oldest === key) break;
      this.entries.delete(oldest);
      this.bytes -= old.bytes;
    }
  }
}
