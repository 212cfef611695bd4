/** What to do about a damaged store, said wherever one is reported. */
export const REPAIR_HINT =
  'the store was not loaded and its files were left as they are; `devrig runner repair` keeps every record it can read and moves the rest aside';

/**
 * A store file that is damaged in a way a crash cannot explain (only a torn final record can be a
 * crash): loading stops, nothing is cut off or rewritten, and the message names the file, where in
 * it, and what to do.
 */
export class StoreDamagedError extends Error {
  constructor(
    readonly file: string,
    /** What is wrong, e.g. `line 5 (byte 1234): checksum mismatch`. */
    readonly detail: string,
    readonly offset?: number,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${detail}; ${REPAIR_HINT}`, options);
    this.name = 'StoreDamagedError';
  }
}

/** `line 5 (byte 1234)`: where a journal line starts, for people and for `dd`/`hexdump`. */
export function lineAt(line: number, offset: number): string {
  return `line ${line} (byte ${offset})`;
}
