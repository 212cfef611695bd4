import { StringDecoder } from 'node:string_decoder';

/**
 * Cuts text arriving in chunks into lines: a line split across chunks (or a UTF-8 character split
 * across them) comes out whole. `\n`, `\r\n` and, with `crIsBreak`, a lone `\r` (progress output
 * redrawing its line) end a line; the ending is not part of it.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private buf = '';

  constructor(private readonly crIsBreak = false) {}

  /** The lines this chunk completes. */
  push(chunk: Buffer | string): string[] {
    this.buf += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const out: string[] = [];
    let start = 0;
    for (let i = 0; i < this.buf.length; i++) {
      const c = this.buf.charCodeAt(i);
      if (c === 10) {
        out.push(this.buf.slice(start, i > start && this.buf.charCodeAt(i - 1) === 13 ? i - 1 : i));
        start = i + 1;
      } else if (c === 13 && this.crIsBreak && i + 1 < this.buf.length && this.buf.charCodeAt(i + 1) !== 10) {
        out.push(this.buf.slice(start, i));
        start = i + 1;
      }
    }
    this.buf = this.buf.slice(start);
    return out;
  }

  /** The unterminated last line, if any (at the end of the stream). */
  end(): string[] {
    const rest = (this.buf + this.decoder.end()).replace(/\r$/, '');
    this.buf = '';
    return rest ? [rest] : [];
  }
}

/** Calls `onLine` for every line of `stream`, the unterminated last one at its end. */
export function lines(
  stream: NodeJS.ReadableStream,
  onLine: (line: string) => void,
  opts: { crIsBreak?: boolean } = {},
): void {
  const splitter = new LineSplitter(opts.crIsBreak);
  stream.on('data', (chunk: Buffer | string) => {
    for (const l of splitter.push(chunk)) onLine(l);
  });
  stream.on('end', () => {
    for (const l of splitter.end()) onLine(l);
  });
}

/** The lines of `stream`, as they arrive (the unterminated last one at its end). */
export async function* readLines(stream: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const splitter = new LineSplitter();
  for await (const chunk of stream) yield* splitter.push(chunk);
  yield* splitter.end();
}
