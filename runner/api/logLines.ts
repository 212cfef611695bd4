// How the runner's environment logs carry time: every stored line starts with its ISO 8601 UTC time and
// a space. The `logs` method strips it unless asked for `timestamps` (like `docker logs -t`). No schemas:
// the CLI's fast path and the webview use it too.

/** `2024-05-01T12:03:04.567Z ` at the start of a line. */
const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;
const STAMPS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /gm;

/** `text` (lines, a trailing newline or not) with every line stamped with `now`. */
export function stampLines(text: string, now: Date): string {
  const stamp = `${now.toISOString()} `;
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return body
    .split('\n')
    .map((l) => stamp + l)
    .join('\n')
    .concat('\n');
}

/** `text` without the stamps its lines start with (lines written before stamps existed stay as they are). */
export function stripStamps(text: string): string {
  return text.replace(STAMPS, '');
}

/** One line's time (ISO) and text; no time for a line without a stamp. */
export function splitStamp(line: string): { time?: string; text: string } {
  const m = STAMP.exec(line);
  return m ? { time: m[0].slice(0, -1), text: line.slice(m[0].length) } : { text: line };
}
