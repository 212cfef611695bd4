/** A 1-based place in a config file. */
export type Position = { line: number; column: number };

/** File order; unknown positions sort first and keep their order (sorting is stable). */
export function comparePositions(a: Position | undefined, b: Position | undefined): number {
  return (a?.line ?? 0) - (b?.line ?? 0) || (a?.column ?? 0) - (b?.column ?? 0);
}

export type ConfigErrorCode = 'NotFound' | 'Syntax' | 'Invalid';

/** `file:line:col` when the position is known, else just `file`. */
export function formatLocation(file: string, position?: Position): string {
  return position ? `${file}:${position.line}:${position.column}` : file;
}

export type ConfigErrorInit = {
  code: ConfigErrorCode;
  file: string;
  /** What is wrong, without the location (that is prepended). */
  message: string;
  position?: Position;
  /** The property the problem is about, e.g. `forwardPorts[1]`. */
  property?: string;
};

/**
 * A devcontainer config that cannot be used. The message starts with `file:line:col: ` so editors and
 * terminals can link straight to the problem.
 */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  readonly property?: string;
  /** The message without the location prefix. */
  readonly detail: string;

  constructor(init: ConfigErrorInit, options?: ErrorOptions) {
    super(`${formatLocation(init.file, init.position)}: ${init.message}`, options);
    this.name = 'ConfigError';
    this.code = init.code;
    this.file = init.file;
    this.line = init.position?.line;
    this.column = init.position?.column;
    this.property = init.property;
    this.detail = init.message;
  }

  override toString(): string {
    return this.message;
  }
}

/** Something in the config that devrig accepts but ignores or changes; shown to the user, never fatal. */
export type ConfigWarning = {
  /** Property path, e.g. `features` or `runArgs`. */
  property: string;
  file: string;
  line?: number;
  column?: number;
  message: string;
};

export function configWarning(
  file: string,
  property: string,
  message: string,
  position?: Position,
): ConfigWarning {
  return { property, file, ...(position ? { line: position.line, column: position.column } : {}), message };
}

function warningPosition(warning: ConfigWarning): Position | undefined {
  return warning.line !== undefined ? { line: warning.line, column: warning.column ?? 1 } : undefined;
}

/** `file:line:col: message`, the same shape as a ConfigError's message. */
export function formatWarning(warning: ConfigWarning): string {
  return `${formatLocation(warning.file, warningPosition(warning))}: ${warning.message}`;
}

/** Warnings in the order their properties appear in the file. */
export function sortWarnings(warnings: readonly ConfigWarning[]): ConfigWarning[] {
  return [...warnings].sort((a, b) => comparePositions(warningPosition(a), warningPosition(b)));
}
