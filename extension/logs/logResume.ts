// Re-following a log after the runner connection dropped: the runner has no "since", so the re-follow asks
// for a tail again, and this finds where the lines already shown end inside it, so only the lines logged
// meanwhile are added — nothing repeated, nothing lost. When they cannot be told apart (more was logged
// than the tail holds, or the log was rotated) all of the tail is shown after a marker. Pure.

/** Lines asked for when re-following; more logged while disconnected than this shows a gap. */
export const RESUME_TAIL_LINES = 2000;

export interface Resumed {
  /** The text to add. */
  text: string;
  /** The lines shown before could not be found in the tail: some may be missing or repeated. */
  gap: boolean;
}

export class LogResume {
  /** The last complete lines shown, oldest first. */
  private recent: string[] = [];
  private partial = '';

  /** `keep`: how many of the last lines shown must match for a resume point (fewer when fewer were shown). */
  constructor(private readonly keep = 20) {}

  /** Log text that was shown. */
  shown(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    if (parts.length) this.recent = [...this.recent, ...parts].slice(-this.keep);
  }

  /** `replay`: what a re-follow sent before the live lines (a tail of the log); returns what is new. */
  resume(replay: string): Resumed {
    const parts = replay.split('\n');
    const rest = parts.pop() ?? '';
    const lines = parts;
    const seen = this.partial ? [...this.recent, this.partial] : this.recent;
    this.partial = '';
    const from = seen.length === 0 ? 0 : resumePoint(seen, lines);
    const text = lines
      .slice(from ?? 0)
      .map((l) => l + '\n')
      .join('');
    const out = { text: text + rest, gap: from === undefined };
    this.shown(out.text);
    return out;
  }
}

/**
 * Where the new lines start in `lines`: just after the first place where the last lines of `seen` end.
 * A full match of `seen` is preferred; failing that, `lines` may start inside `seen`'s last lines (the
 * tail began there, and at least MIN_OVERLAP of them match). Earliest wins: repeating a line is better
 * than losing one.
 */
const MIN_OVERLAP = 3;

function resumePoint(seen: readonly string[], lines: readonly string[]): number | undefined {
  const k = seen.length;
  const endsAt = (j: number, m: number) => {
    for (let i = 1; i <= m; i++) if (lines[j - i] !== seen[k - i]) return false;
    return true;
  };
  for (let j = k; j <= lines.length; j++) if (endsAt(j, k)) return j;
  // A partial overlap counts from a few lines on: one equal (say, empty) line proves nothing.
  for (let j = Math.min(MIN_OVERLAP, k); j < Math.min(k, lines.length + 1); j++) if (endsAt(j, j)) return j;
  return undefined;
}
