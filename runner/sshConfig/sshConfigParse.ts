// A small, tolerant, lossless ssh_config(5) line parser plus the quoting rules devrig needs to write
// ssh_config values. Pure: no I/O and no `vscode`, so the CLI can use it too.
//
// Tokenising follows OpenSSH's readconf.c: trailing whitespace is ignored, a line whose first token
// starts with `#` is a comment, the keyword is separated from its arguments by whitespace and/or one
// `=`, and arguments are split like argv_split(): single or double quotes group, a backslash escapes
// `\`, `"`, `'` (and a space outside quotes), and an unquoted token starting with `#` ends the line.

export type SshConfigLineKind = 'blank' | 'comment' | 'host' | 'match' | 'include' | 'option';

export interface SshConfigLine {
  /** 1-based line number. */
  line: number;
  kind: SshConfigLineKind;
  /** The line's text without its line ending, exactly as in the input. */
  text: string;
  /** The line ending that followed it: `'\n'`, `'\r\n'`, or `''` for a last line without one. */
  eol: string;
  /** Lower-cased keyword (`host`, `proxyjump`, ...); `''` for blank and comment lines. */
  keyword: string;
  /** Arguments with quotes and escapes removed. */
  args: string[];
}

const BOM = '\uFEFF';

/**
 * Splits `text` into lines. Lossless: `lines.map((l) => l.text + l.eol).join('')` is `text`
 * (a leading byte-order mark stays part of the first line's text).
 */
export function parseSshConfig(text: string): SshConfigLine[] {
  const lines: SshConfigLine[] = [];
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    let body: string;
    let eol: string;
    if (nl < 0) {
      body = text.slice(pos);
      eol = '';
      pos = text.length;
    } else {
      const crlf = nl > pos && text[nl - 1] === '\r';
      body = text.slice(pos, crlf ? nl - 1 : nl);
      eol = crlf ? '\r\n' : '\n';
      pos = nl + 1;
    }
    lines.push(parseLine(body, eol, lines.length + 1));
  }
  return lines;
}

function parseLine(text: string, eol: string, line: number): SshConfigLine {
  let s = stripBom(text);
  s = s.replace(/^[ \t]+/, '').replace(/[ \t\f\r]+$/, '');
  if (s === '') return { line, kind: 'blank', text, eol, keyword: '', args: [] };
  if (s.startsWith('#')) return { line, kind: 'comment', text, eol, keyword: '', args: [] };
  const m = /^([^\s=]+)\s*(?:=\s*)?/.exec(s);
  // `m` always matches here: `s` is non-empty and does not start with whitespace or `#`; a line that
  // starts with `=` has no keyword, which OpenSSH rejects, and is kept as an option without one.
  const keyword = m?.[1]?.toLowerCase() ?? '';
  const args = splitArgs(s.slice(m?.[0].length ?? 0));
  const kind: SshConfigLineKind =
    keyword === 'host'
      ? 'host'
      : keyword === 'match'
        ? 'match'
        : keyword === 'include'
          ? 'include'
          : 'option';
  return { line, kind, text, eol, keyword, args };
}

/** A byte-order mark at the start of the file is not part of the first keyword. */
function stripBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}

/** argv_split() from OpenSSH's misc.c, tolerant of an unterminated quote (the rest is the argument). */
export function splitArgs(s: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++;
    if (i >= s.length || s[i] === '#') break;
    let arg = '';
    let quote = '';
    for (; i < s.length; i++) {
      const c = s[i] as string;
      if (quote === '' && (c === ' ' || c === '\t')) break;
      if (c === '\\') {
        const n = s[i + 1];
        if (n === '\\' || n === '"' || n === "'" || (quote === '' && n === ' ')) {
          arg += n;
          i++;
        } else {
          arg += c;
        }
      } else if (quote === '' && (c === '"' || c === "'")) {
        quote = c;
      } else if (c === quote) {
        quote = '';
      } else {
        arg += c;
      }
    }
    args.push(arg);
  }
  return args;
}

/**
 * Double-quotes an ssh_config argument (paths with spaces must be quoted). Only the backslashes that
 * argv_split() would treat as escapes are doubled, so Windows paths such as `C:\Users\me\x` are written
 * as-is and read back identically by old (pre-8.7, no escapes) and new OpenSSH alike.
 */
export function quoteSshArg(value: string): string {
  if (/[\r\n\0]/.test(value))
    throw new Error(`ssh_config values cannot contain line breaks: ${JSON.stringify(value)}`);
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    const n = value[i + 1];
    if (c === '"') out += '\\"';
    else if (c === '\\' && (n === undefined || n === '\\' || n === '"' || n === "'")) out += '\\\\';
    else out += c;
  }
  return `"${out}"`;
}

/**
 * Quotes a path for options that also expand `%` tokens (IdentityFile, UserKnownHostsFile, ...):
 * a literal `%` is written `%%`.
 */
export function quoteSshPath(path: string): string {
  return quoteSshArg(path.replace(/%/g, '%%'));
}

/** Compares paths the way a user may have spelled them: `\` and `/` are the same separator. */
export function samePath(a: string, b: string): boolean {
  return a.replace(/\\/g, '/') === b.replace(/\\/g, '/');
}
