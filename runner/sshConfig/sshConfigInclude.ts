// Adds devrig's `Include "<devrig ssh_config>"` to the user's ~/.ssh/config text, and warns about user
// settings that would still reach devrig's hosts. Pure: text in, text out.
//
// Placement: OpenSSH uses the first value it obtains for each option, and an Include inside a Host or
// Match block only applies to that block. So devrig's Include goes at the very top of the file, before
// any Host/Match line and before any top-level option: then devrig's settings win for `devrig-*` hosts.
// Options devrig does not set can still come from a later block that matches `devrig-*` (`Host *`,
// `Match all`, ...); those are reported as warnings, never edited.
//
// Everything else in the file is kept byte for byte; only devrig's two lines are inserted at the top
// (after a byte-order mark, if any) and earlier devrig lines elsewhere are removed.

import { posix, win32 } from 'node:path';
import { HOST_ALIAS_PREFIX } from './remoteUri';
import { parseSshConfig, quoteSshArg, samePath, type SshConfigLine } from './sshConfigParse';

export const INCLUDE_MARKER = '# Added by devrig: environments as devrig-<name> (remove both lines to undo)';

export interface SshConfigWarning {
  /** 1-based line in the resulting text. */
  line: number;
  /** Lower-cased option or block keyword the warning is about (`proxyjump`, `match`, ...). */
  keyword: string;
  /** E.g. `~/.ssh/config:12: "Host *" sets ProxyJump, which also applies to devrig-* hosts`. */
  message: string;
}

export interface SshIncludeResult {
  text: string;
  /** False when `text` is exactly the input (an existing, already correct file). */
  changed: boolean;
  warnings: SshConfigWarning[];
}

export interface SshIncludeOptions {
  /** How warnings name the file. Default `~/.ssh/config`. */
  displayPath?: string;
}

/** The Include line devrig adds for its ssh_config at `devrigConfigPath`. */
export function sshIncludeLine(devrigConfigPath: string): string {
  return `Include ${quoteSshArg(devrigConfigPath)}`;
}

/**
 * Returns `userConfig` (the text of ~/.ssh/config, `undefined` when the file is missing) with exactly one
 * devrig Include, at the top, below {@link INCLUDE_MARKER}. Idempotent. Earlier devrig Includes (after a
 * devrig marker line, or naming devrig's file or a same-named file under a `*devrig*` directory) and
 * stray marker lines are removed. Line endings follow the file (CRLF stays CRLF).
 */
export function applyDevrigInclude(
  userConfig: string | undefined,
  devrigConfigPath: string,
  options: SshIncludeOptions = {},
): SshIncludeResult {
  if (!posix.isAbsolute(devrigConfigPath) && !win32.isAbsolute(devrigConfigPath)) {
    throw new Error(`devrig's ssh_config path must be absolute: ${devrigConfigPath}`);
  }
  const includeLine = sshIncludeLine(devrigConfigPath);
  const original = userConfig ?? '';
  const bom = original.startsWith('\uFEFF') ? '\uFEFF' : '';
  const lines = parseSshConfig(original.slice(bom.length));

  const devrigLines = new Set<number>();
  lines.forEach((l, i) => {
    if (isMarker(l)) {
      devrigLines.add(i);
      const next = lines[i + 1];
      if (next?.kind === 'include') devrigLines.add(i + 1);
    } else if (
      l.kind === 'include' &&
      l.args.length === 1 &&
      isDevrigPath(l.args[0] as string, devrigConfigPath)
    ) {
      devrigLines.add(i);
    }
  });

  let text: string;
  if (userConfig !== undefined && isAlreadyCorrect(lines, devrigLines, devrigConfigPath)) {
    text = original;
  } else {
    const eol = dominantEol(lines);
    const rest = lines
      .filter((_, i) => !devrigLines.has(i))
      .map((l) => l.text + l.eol)
      .join('');
    text = bom + INCLUDE_MARKER + eol + includeLine + eol + rest;
  }
  return {
    text,
    changed: userConfig === undefined || text !== original,
    warnings: sshConfigWarnings(text, options.displayPath ?? '~/.ssh/config'),
  };
}

function isMarker(l: SshConfigLine): boolean {
  return l.kind === 'comment' && /^\s*#\s*added by devrig\b/i.test(l.text);
}

/** devrig's file, or (from an older install) a file with the same name somewhere under a `*devrig*` directory. */
function isDevrigPath(arg: string, devrigConfigPath: string): boolean {
  if (samePath(arg, devrigConfigPath)) return true;
  const a = arg.split(/[\\/]/);
  const d = devrigConfigPath.split(/[\\/]/);
  return a.length > 1 && a[a.length - 1] === d[d.length - 1] && a.slice(0, -1).some((s) => /devrig/i.test(s));
}

/** The exact marker directly followed by our Include, with only comments/blank lines before, and no other devrig lines. */
function isAlreadyCorrect(
  lines: SshConfigLine[],
  devrigLines: Set<number>,
  devrigConfigPath: string,
): boolean {
  const first = lines.findIndex((l) => l.kind !== 'blank' && l.kind !== 'comment');
  const m = lines.findIndex((l) => isMarker(l));
  const include = lines[m + 1];
  return (
    m >= 0 &&
    (first < 0 || first === m + 1) &&
    lines[m]?.text === INCLUDE_MARKER &&
    include?.kind === 'include' &&
    include.args.length === 1 &&
    samePath(include.args[0] as string, devrigConfigPath) &&
    devrigLines.size === 2
  );
}

function dominantEol(lines: SshConfigLine[]): string {
  let crlf = 0;
  let lf = 0;
  for (const l of lines) {
    if (l.eol === '\r\n') crlf++;
    else if (l.eol === '\n') lf++;
  }
  return crlf > lf ? '\r\n' : '\n';
}

// ---------------------------------------------------------------------------------------------------
// Warnings

/** Options devrig does not set whose value from a `devrig-*`-matching block would break or alter its connections. */
const RISKY_OPTIONS = new Map<string, { name: string; risky: (args: string[]) => boolean }>(
  (
    [
      ['ProxyCommand', notValue('none')],
      ['ProxyJump', notValue('none')],
      ['RemoteCommand', notValue('none')],
      ['SessionType', notValue('default')],
      ['ForkAfterAuthentication', isValue('yes')],
      ['StdinNull', isValue('yes')],
      ['LocalCommand', () => true],
      ['CanonicalizeHostname', notValue('no')],
      ['ControlMaster', notValue('no')],
      ['AddressFamily', isValue('inet6')],
      ['BindAddress', () => true],
      ['BindInterface', () => true],
      ['PubkeyAuthentication', isValue('no')],
      [
        'PreferredAuthentications',
        (args: string[]) => !(args[0] ?? '').toLowerCase().split(',').includes('publickey'),
      ],
      ['LocalForward', () => true],
      ['RemoteForward', () => true],
      ['DynamicForward', () => true],
    ] as const
  ).map(([name, risky]) => [name.toLowerCase(), { name, risky }]),
);

function isValue(v: string): (args: string[]) => boolean {
  return (args) => (args[0] ?? '').toLowerCase() === v;
}

function notValue(v: string): (args: string[]) => boolean {
  return (args) => (args[0] ?? '').toLowerCase() !== v;
}

/**
 * Warnings for the options in `text` that also reach `devrig-*` hosts: top-level options and options in
 * Host/Match blocks that may match a `devrig-<name>` alias, limited to options devrig does not set itself
 * and that can break its connections (ProxyJump, RemoteCommand, ControlMaster, ...). Also flags
 * `Match all` and `Match exec` blocks that may be evaluated for devrig's hosts.
 */
export function sshConfigWarnings(text: string, displayPath = '~/.ssh/config'): SshConfigWarning[] {
  const warnings: SshConfigWarning[] = [];
  const warn = (l: SshConfigLine, message: string) =>
    warnings.push({ line: l.line, keyword: l.keyword, message: `${displayPath}:${l.line}: ${message}` });
  let block: { label: string | undefined; applies: boolean } = { label: undefined, applies: true };
  for (const l of parseSshConfig(text)) {
    if (l.kind === 'host') {
      block = { label: blockLabel('Host', l.args), applies: hostMayMatch(l.args) };
    } else if (l.kind === 'match') {
      const m = matchMayApply(l.args);
      block = { label: blockLabel('Match', l.args), applies: m.applies };
      if (m.applies && m.all) warn(l, `${block.label} also applies to devrig-* hosts`);
      else if (m.applies && m.exec) warn(l, `${block.label} also runs its command for devrig-* hosts`);
    } else if (l.kind === 'option' && block.applies) {
      const option = RISKY_OPTIONS.get(l.keyword);
      if (!option?.risky(l.args)) continue;
      warn(
        l,
        block.label === undefined
          ? `${option.name} outside any Host or Match block also applies to devrig-* hosts`
          : `${block.label} sets ${option.name}, which also applies to devrig-* hosts`,
      );
    }
  }
  return warnings;
}

function blockLabel(keyword: string, args: string[]): string {
  const label = `${keyword} ${args.join(' ')}`;
  return JSON.stringify(label.length > 60 ? label.slice(0, 57) + '...' : label);
}

/** `Host` patterns are matched one by one (no comma lists); a matching `!pattern` excludes the host. */
function hostMayMatch(patterns: string[]): boolean {
  return patternListMayMatch(patterns, ALIASES);
}

/** Match criteria are ANDed; unknown or undecidable criteria (exec, user-independent ones) are assumed to match. */
function matchMayApply(args: string[]): { applies: boolean; all: boolean; exec: boolean } {
  let applies = true;
  let all = false;
  let exec = false;
  for (let i = 0; i < args.length; i++) {
    let criterion = (args[i] as string).toLowerCase();
    const negated = criterion.startsWith('!');
    if (negated) criterion = criterion.slice(1);
    if (criterion === 'all') {
      all = true;
      continue;
    }
    if (criterion === 'canonical' || criterion === 'final') continue;
    const value = args[++i] ?? '';
    if (criterion === 'exec') {
      // OpenSSH skips the command once an earlier criterion failed.
      if (applies) exec = true;
      continue;
    }
    if (negated) continue;
    const list = value.split(',');
    if (criterion === 'host') {
      applies &&= patternListMayMatch(list, ALIASES) || patternListMayMatch(list, LOOPBACK);
    } else if (criterion === 'originalhost') {
      applies &&= patternListMayMatch(list, ALIASES);
    } else if (criterion === 'user') {
      applies &&= patternListMayMatch(list, NAMES);
    }
  }
  return { applies, all, exec };
}

// A language of host strings, as a tiny automaton over `alphabet`, plus samples used to decide whether a
// negated pattern excludes all of it.
interface Language {
  start: number;
  step(state: number, c: string): number | undefined;
  accepts(state: number): boolean;
  alphabet: string;
  samples: string[];
}

const NAME_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789-';

/** `devrig-<name>` (prefix states 0..6, then a NAME_PATTERN name), or the bare names when starting at the name. */
function aliasLanguage(prefix: string): Language {
  const n = prefix.length;
  return {
    start: 0,
    step(s, c) {
      if (s < n) return c === prefix[s] ? s + 1 : undefined;
      if (/[a-z0-9]/.test(c)) return n + 1;
      return c === '-' && s > n ? n + 2 : undefined;
    },
    accepts: (s) => s === n + 1,
    alphabet: NAME_CHARS,
    samples: ['a', '0', 'my-env-2', 'z'.repeat(40)].map((name) => prefix + name),
  };
}

const ALIASES = aliasLanguage(HOST_ALIAS_PREFIX);
const NAMES = aliasLanguage('');
const LOOPBACK: Language = {
  start: 0,
  step: (s, c) => ('127.0.0.1'[s] === c ? s + 1 : undefined),
  accepts: (s) => s === 9,
  alphabet: '127.0',
  samples: ['127.0.0.1'],
};

/** Some positive pattern may match a string of `lang`, and no negated pattern matches all of it. */
function patternListMayMatch(patterns: string[], lang: Language): boolean {
  const positive = patterns.filter((p) => !p.startsWith('!'));
  const negative = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  return (
    positive.some((p) => globIntersects(p.toLowerCase(), lang)) &&
    !negative.some((p) => lang.samples.every((s) => globMatch(p.toLowerCase(), s)))
  );
}

/** Whether glob `pattern` (`*`, `?`) matches at least one string of `lang`: a search over (pattern index, state). */
function globIntersects(pattern: string, lang: Language): boolean {
  const seen = new Set<string>();
  const todo: [number, number][] = [[0, lang.start]];
  while (todo.length > 0) {
    const [i, s] = todo.pop() as [number, number];
    const key = `${i}:${s}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (i === pattern.length) {
      if (lang.accepts(s)) return true;
      continue;
    }
    const p = pattern[i] as string;
    if (p === '*') todo.push([i + 1, s]);
    for (const c of p === '*' || p === '?' ? lang.alphabet : p) {
      const next = lang.step(s, c);
      if (next !== undefined) todo.push([p === '*' ? i : i + 1, next]);
    }
  }
  return false;
}

function globMatch(pattern: string, s: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(s);
}
