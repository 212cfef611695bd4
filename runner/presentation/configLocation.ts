// Where a configuration error is: the `file:line:col: ` its message starts with (runner/devcontainer
// errors put it there, as compilers do), so an editor can open the file at that place. Pure.

export interface ConfigLocation {
  file: string;
  /** From 1. */
  line: number;
  /** From 1; 1 when the message gives only a line. */
  column: number;
  /** The message after the location. */
  message: string;
}

// An absolute path (POSIX or Windows), then :line, optionally :col, then ": ".
const LOCATED = /^((?:\/|[A-Za-z]:[\\/])[^\n]*?):(\d+)(?::(\d+))?: ([\s\S]*)$/;

export function configLocation(message: string): ConfigLocation | undefined {
  const m = LOCATED.exec(message.trim());
  if (!m) return undefined;
  return { file: m[1]!, line: Number(m[2]), column: m[3] ? Number(m[3]) : 1, message: m[4]! };
}

/** The config file a message names at its start, with or without a position (`/x/devcontainer.json: …`). */
export function configFileOf(message: string): string | undefined {
  const located = configLocation(message);
  if (located) return located.file;
  const m = /^((?:\/|[A-Za-z]:[\\/])[^\n:]*?\.jsonc?)(?::|\s)/.exec(message.trim());
  return m?.[1];
}
