/** Control characters other than \t and \n, and the Unicode line separators. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]/g;

/**
 * A message made safe for a line-oriented log: every record starts with its timestamp on a line of
 * its own, so text from outside (an SSH user name, an error from a client) must not be able to start
 * a line that looks like another record, nor move the cursor of a terminal showing the log. Control
 * characters are escaped (\r, \x1b …); the line breaks of a multi-line message (a stack trace) are
 * kept, with every continuation line indented.
 */
export function logSafe(message: string): string {
  const escaped = message
    .replace(/\r\n/g, '\n')
    .replace(CONTROL, (c) => (c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  return escaped.replace(/\n(?=.)/g, '\n  ').replace(/\n$/, '');
}

/** Text from outside quoted for a message: one line, quotes and control characters escaped. */
export function quoted(text: string, max = 80): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max - 1)}…` : text);
}
