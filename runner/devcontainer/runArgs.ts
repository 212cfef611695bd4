import {
  emptyRunArgOptions,
  RUN_ARG_FLAGS,
  type RunArgFlag,
  type RunArgOptions,
  type RunArgsState,
} from './runArgFlags';

export type { RunArgOptions, Ulimit } from './runArgFlags';

export type ParsedRunArgs = {
  options: RunArgOptions;
  /** Flags that were ignored, one sentence each, naming the flag. */
  warnings: string[];
  /** Flags that were not applied because they are unsafe or clash with devrig; the caller decides what to do. */
  refused: string[];
};

const FLAGS_BY_NAME = new Map<string, RunArgFlag>(
  RUN_ARG_FLAGS.flatMap((flag) => flag.names.map((n) => [n, flag])),
);

// Unsupported docker run flags that take no value, so the token after them is not swallowed as their value.
const UNSUPPORTED_BOOLEAN_FLAGS = new Set([
  '--rm',
  '-d',
  '--detach',
  '-i',
  '--interactive',
  '-t',
  '--tty',
  '-it',
  '-ti',
  '-P',
  '--publish-all',
  '--read-only',
  '--no-healthcheck',
  '--oom-kill-disable',
  '--sig-proxy',
  '-q',
  '--quiet',
  '--help',
]);

const HINTS: Record<string, string> = {
  '-p': '; use forwardPorts instead',
  '--publish': '; use forwardPorts instead',
  '--env-file': '; use containerEnv instead',
  '--rm': '; devrig manages the container lifecycle',
  '--restart': '; devrig manages the container lifecycle',
  '--entrypoint': '; use overrideCommand and the lifecycle commands instead',
};

function parseBooleanValue(text: string): boolean | undefined {
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return undefined;
}

/** `--flag=value` → ['--flag', 'value']; `-eA=b` → ['-e', 'A=b']; `-e=A=b` → ['-e', 'A=b']. */
function splitToken(token: string): { name: string; inline?: string } {
  if (token.startsWith('--')) {
    const equals = token.indexOf('=');
    return equals < 0 ? { name: token } : { name: token.slice(0, equals), inline: token.slice(equals + 1) };
  }
  const name = token.slice(0, 2);
  const rest = token.slice(2);
  // A short flag glued to its value only makes sense for known value flags (`-eA=b`, `-m2g`); `-it` is a cluster.
  if (rest === '' || FLAGS_BY_NAME.get(name)?.value !== true) return { name: rest === '' ? name : token };
  return { name, inline: rest.startsWith('=') ? rest.slice(1) : rest };
}

/**
 * Reads the safe subset of `docker run` flags from devcontainer.json's runArgs, in `--flag value`,
 * `--flag=value` and `-fvalue` forms. Everything else is ignored with a warning naming the flag; flags
 * that clash with devrig are listed in `refused`. What reaches the host is recorded as asked: the host
 * access policy judges it.
 */
export function parseRunArgs(args: readonly string[]): ParsedRunArgs {
  const state: RunArgsState = { options: emptyRunArgOptions(), warnings: [], refused: [] };
  walkRunArgs(args, state, () => {});
  return { options: state.options, warnings: state.warnings, refused: state.refused };
}

/** One supported flag of runArgs with its value: `index` is where it starts, `args` its tokens. */
export type RunArgGroup = { index: number; args: string[] };

/**
 * runArgs split into its supported flags, each with its value, so each can be judged (and pointed at)
 * on its own: `parseRunArgs(group.args)` is that flag's part of the options.
 */
export function runArgGroups(args: readonly string[]): RunArgGroup[] {
  const groups: RunArgGroup[] = [];
  const state: RunArgsState = { options: emptyRunArgOptions(), warnings: [], refused: [] };
  walkRunArgs(args, state, (start, end) => groups.push({ index: start, args: args.slice(start, end + 1) }));
  return groups;
}

/** Applies each flag to `state`; `applied(start, end)` is told the tokens of every supported flag. */
function walkRunArgs(
  args: readonly string[],
  state: RunArgsState,
  applied: (start: number, end: number) => void,
): void {
  for (let i = 0; i < args.length; i++) {
    const token = args[i] ?? '';
    if (!token.startsWith('-') || token === '-' || token === '--') {
      state.warnings.push(`runArgs: "${token}" is not a flag and was ignored`);
      continue;
    }
    const { name, inline } = splitToken(token);
    const flag = FLAGS_BY_NAME.get(name);
    if (!flag) {
      const next = args[i + 1];
      // Guess that an unknown flag takes a value when it is not known to be boolean and a non-flag follows.
      if (
        inline === undefined &&
        !UNSUPPORTED_BOOLEAN_FLAGS.has(name) &&
        next !== undefined &&
        !next.startsWith('-')
      ) {
        i++;
      }
      state.warnings.push(`runArgs: ${name} is not supported by devrig and was ignored${HINTS[name] ?? ''}`);
      continue;
    }
    const start = i;
    if (flag.value) {
      let value = inline;
      if (value === undefined && i + 1 < args.length) value = args[++i];
      if (value === undefined) state.warnings.push(`runArgs: ${name} needs a value and was ignored`);
      else {
        flag.apply(value, name, state);
        applied(start, i);
      }
      continue;
    }
    const enabled = inline === undefined ? true : parseBooleanValue(inline);
    if (enabled === undefined)
      state.warnings.push(`runArgs: ${name}="${inline}" is not true or false and was ignored`);
    else {
      flag.apply(enabled, name, state);
      applied(start, i);
    }
  }
}
