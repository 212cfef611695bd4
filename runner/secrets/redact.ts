/** What a secret value is replaced with wherever text leaves the runner (logs, status, errors). */
export const REDACTED = '***';

/** Values shorter than this are not scrubbed: replacing every "1" or "on" would wreck every log. */
export const MIN_REDACTED_LENGTH = 4;

/**
 * A function replacing every occurrence of any of `values` (and of each line of a multi-line
 * value, since logs arrive line by line) with ***; the longest match wins.
 */
export function redactor(values: Iterable<string>): (text: string) => string {
  const parts = new Set<string>();
  for (const v of values) {
    for (const piece of [v, ...v.split(/\r?\n/)]) {
      if (piece.length >= MIN_REDACTED_LENGTH) parts.add(piece);
    }
  }
  if (parts.size === 0) return (text) => text;
  const pattern = new RegExp(
    [...parts]
      .sort((a, b) => b.length - a.length)
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('|'),
    'g',
  );
  return (text) => (text ? text.replace(pattern, REDACTED) : text);
}
