/** A usage mistake: exit code 2 and the message, no stack. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Splits `a b -- c d` at the first `--`. */
export function splitDashDash(argv: string[]): { before: string[]; after: string[] | undefined } {
  const i = argv.indexOf('--');
  return i < 0 ? { before: argv, after: undefined } : { before: argv.slice(0, i), after: argv.slice(i + 1) };
}
