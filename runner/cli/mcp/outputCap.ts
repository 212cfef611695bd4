// An output stream kept within a budget for an agent: its beginning and its end (where errors
// usually are), and how much was cut between them. Pure.

/** Bytes of a UTF-8 sequence's lead byte; 0 for a continuation byte. */
function sequenceLength(b: number): number {
  if (b < 0x80) return 1;
  if (b < 0xc0) return 0;
  if (b < 0xe0) return 2;
  if (b < 0xf0) return 3;
  return 4;
}

/** `buf` without a partial UTF-8 sequence at its start (`atStart`) or end. */
function wholeCharacters(buf: Buffer, atStart: boolean, atEnd: boolean): Buffer {
  let start = 0;
  let end = buf.length;
  if (atStart) while (start < end && sequenceLength(buf[start]!) === 0 && start < 3) start++;
  if (atEnd) {
    // Find the last lead byte; drop it and what follows when its sequence is incomplete.
    for (let i = end - 1; i >= Math.max(start, end - 4); i--) {
      const n = sequenceLength(buf[i]!);
      if (n === 0) continue;
      if (i + n > end) end = i;
      break;
    }
  }
  return buf.subarray(start, end);
}

export class OutputCap {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  /** The last bytes seen, at most `tailMax` once trimmed. */
  private tail: Buffer[] = [];
  private tailBytes = 0;
  /** Every byte written, kept or not. */
  total = 0;
  private readonly headMax: number;
  private readonly tailMax: number;

  constructor(readonly maxBytes: number) {
    this.headMax = Math.ceil(maxBytes / 2);
    this.tailMax = maxBytes - this.headMax;
  }

  write(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.headBytes < this.headMax) {
      const take = chunk.subarray(0, this.headMax - this.headBytes);
      this.head.push(take);
      this.headBytes += take.length;
      chunk = chunk.subarray(take.length);
    }
    if (chunk.length === 0 || this.tailMax === 0) return;
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    // Trim only once twice the budget piled up: amortised, not on every chunk.
    if (this.tailBytes > 2 * this.tailMax) this.trimTail();
  }

  private trimTail(): void {
    const all = Buffer.concat(this.tail);
    const keep = all.subarray(Math.max(0, all.length - this.tailMax));
    this.tail = [Buffer.from(keep)];
    this.tailBytes = keep.length;
  }

  get truncated(): boolean {
    return this.total > this.maxBytes;
  }

  /** Bytes written but not kept. */
  get cutBytes(): number {
    return Math.max(0, this.total - this.maxBytes);
  }

  /** The text kept; when something was cut, a note says where and how much. */
  text(stream = 'output'): string {
    this.trimTail();
    const head = Buffer.concat(this.head);
    if (!this.truncated) return Buffer.concat([head, ...this.tail]).toString('utf8');
    const first = wholeCharacters(head, false, true).toString('utf8');
    const last = wholeCharacters(Buffer.concat(this.tail), true, false).toString('utf8');
    const note =
      `[devrig: ${stream} cut: ${this.total} bytes written, ${this.cutBytes} left out here; ` +
      `the first ${head.length} and the last ${this.tailBytes} bytes are shown]`;
    return `${first}${first.endsWith('\n') ? '' : '\n'}${note}\n${last}`;
  }
}
