// The environment log as the panel keeps it: plain lines (terminal escapes removed, carriage-return
// progress collapsed to its last state), capped so a chatty build cannot grow the page without bound,
// and searchable. Pure.

import { cleanLogLine } from '../../runner/presentation/logText';

export const cleanLine = cleanLogLine;

export const DEFAULT_LOG_LINES = 5000;

export class LogBuffer {
  private lines: string[] = [];
  private partial = '';
  /** Complete lines ever received (dropped ones included): a position that survives the cap. */
  private receivedLines = 0;
  /** Lines dropped from the front because of the cap. */
  dropped = 0;

  constructor(readonly maxLines = DEFAULT_LOG_LINES) {}

  append(data: string): void {
    const text = this.partial + data.replace(/\r\n/g, '\n');
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const p of parts) this.lines.push(cleanLine(p));
    this.receivedLines += parts.length;
    const over = this.lines.length - this.maxLines;
    if (over > 0) {
      this.lines.splice(0, over);
      this.dropped += over;
    }
  }

  reset(data = ''): void {
    this.lines = [];
    this.partial = '';
    this.receivedLines = 0;
    this.dropped = 0;
    this.append(data);
  }

  /** Every kept line, the unfinished last one included. */
  all(): string[] {
    return this.partial ? [...this.lines, cleanLine(this.partial)] : [...this.lines];
  }

  get received(): number {
    return this.receivedLines;
  }
}

export interface LogMatch {
  /** Line number within the shown lines, from 1. */
  line: number;
  text: string;
  /** [start, end) of each match, for highlighting. */
  ranges: [number, number][];
}

/** Lines containing `query` (case-insensitive) with where it occurs; every line when the query is empty. */
export function searchLines(lines: readonly string[], query: string): LogMatch[] {
  const q = query.toLowerCase();
  const out: LogMatch[] = [];
  lines.forEach((text, i) => {
    if (!q) return void out.push({ line: i + 1, text, ranges: [] });
    const lower = text.toLowerCase();
    const ranges: [number, number][] = [];
    for (let at = lower.indexOf(q); at >= 0; at = lower.indexOf(q, at + q.length))
      ranges.push([at, at + q.length]);
    if (ranges.length) out.push({ line: i + 1, text, ranges });
  });
  return out;
}

/** `text` cut at `ranges` into plain and matched pieces, in order. */
export function splitMatches(
  text: string,
  ranges: readonly [number, number][],
): { text: string; match: boolean }[] {
  const out: { text: string; match: boolean }[] = [];
  let pos = 0;
  for (const [s, e] of ranges) {
    if (s > pos) out.push({ text: text.slice(pos, s), match: false });
    out.push({ text: text.slice(s, e), match: true });
    pos = e;
  }
  if (pos < text.length) out.push({ text: text.slice(pos), match: false });
  return out;
}
