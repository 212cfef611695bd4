// Bounds on what the runner accepts and keeps, so one hostile file or request cannot freeze it or
// fill its memory. One place, so the runner, the CLI and the README agree on the numbers.

/** devcontainer.json larger than this is refused (real ones are a few KiB). */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;
/** automations.yaml larger than this is refused. */
export const MAX_AUTOMATIONS_BYTES = 1024 * 1024;
/** Objects and arrays nested deeper than this in a config file are refused (real ones: under 10). */
export const MAX_CONFIG_DEPTH = 64;
/** API frames nested deeper than this are refused (a config inside a request, plus the envelope). */
export const MAX_FRAME_DEPTH = MAX_CONFIG_DEPTH + 16;
/** Characters of a condition message (or status.lastError) that are kept; the rest is cut. */
export const MAX_CONDITION_MESSAGE = 8 * 1024;
/** Problems or warnings listed one by one before the rest are only counted. */
export const MAX_LISTED_ISSUES = 20;
/** Characters of a name taken from input (a property, a key) quoted in a message. */
export const MAX_QUOTED_NAME = 80;

/** `text` cut to `max` characters, saying how much was left out. */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  const omitted = `… (${text.length - max} more characters)`;
  return text.slice(0, Math.max(0, max - omitted.length)) + omitted;
}

/** A name from input, short enough to quote in a message. */
export function clipName(name: string): string {
  return name.length <= MAX_QUOTED_NAME ? name : `${name.slice(0, MAX_QUOTED_NAME - 1)}…`;
}

/**
 * The path to the first place in `value` nested deeper than `maxDepth` objects/arrays (the root
 * counts as 1), or undefined. Iterative: the value may be too deep for recursion.
 */
export function tooDeep(value: unknown, maxDepth: number): (string | number)[] | undefined {
  const stack: { value: unknown; depth: number; path: (string | number)[] }[] = [
    { value, depth: 1, path: [] },
  ];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item.value !== 'object' || item.value === null) continue;
    if (item.depth > maxDepth) return item.path;
    const entries: [string | number, unknown][] = Array.isArray(item.value)
      ? item.value.map((v, i) => [i, v])
      : Object.entries(item.value);
    for (const [key, child] of entries) {
      if (typeof child === 'object' && child !== null) {
        stack.push({ value: child, depth: item.depth + 1, path: [...item.path, key] });
      }
    }
  }
  return undefined;
}
