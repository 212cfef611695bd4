// `-o json` / `--output json` (and `yaml` where a command offers it) for every command that lists or
// shows something, so scripts never have to parse a table.
import { UsageError } from './args';
import type { CliContext } from './context';

export type StructuredFormat = 'json' | 'yaml';

/** The parseArgs option every such command takes. */
export const OUTPUT_OPTION = { output: { type: 'string', short: 'o' } } as const;

/**
 * The format asked for with -o: undefined for the human-readable default, else one of `allowed`.
 * Anything else is a usage error (rather than a table a script would then fail to parse).
 */
export function outputFormat(
  value: string | undefined,
  allowed: readonly StructuredFormat[] = ['json', 'yaml'],
): StructuredFormat | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as StructuredFormat;
  throw new UsageError(`-o must be ${allowed.join(' or ')}, not "${value}"`);
}

/** Prints `value` as JSON (2-space indented) or YAML (the yaml package is loaded only for this). */
export async function printStructured(
  ctx: CliContext,
  format: StructuredFormat,
  value: unknown,
): Promise<void> {
  if (format === 'json') ctx.out(JSON.stringify(value, null, 2));
  else ctx.out((await import('yaml')).stringify(value));
}
