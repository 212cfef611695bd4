import { printParseErrorCode, visit, type ParseErrorCode } from 'jsonc-parser';
import { MAX_CONFIG_BYTES, MAX_CONFIG_DEPTH } from '../api/limits';
import { ConfigError, type Position } from './errors';
import { configTooLarge } from './readConfig';
import { createSourceMap, type Located, type SourceMap } from './sourceMap';

// Keyed by code name: ParseErrorCode is a const enum, which isolatedModules cannot read at runtime.
const PARSE_ERROR_WORDS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected a colon after the property name',
  CommaExpected: 'expected a comma before this',
  CloseBraceExpected: "expected a closing brace '}'",
  CloseBracketExpected: "expected a closing bracket ']'",
  EndOfFileExpected: 'expected the end of the file after the top-level value',
  InvalidCommentToken: 'invalid comment',
  UnexpectedEndOfComment: 'comment is not closed (missing */)',
  UnexpectedEndOfString: 'string is not closed (missing ")',
  UnexpectedEndOfNumber: 'number is cut off',
  InvalidUnicode: 'invalid \\u escape in string',
  InvalidEscapeCharacter: 'invalid escape character in string',
  InvalidCharacter: 'invalid character in string (control characters must be escaped)',
};

/** Human words for a jsonc-parser error, with its code name for searching. */
export function describeParseError(code: ParseErrorCode): string {
  const name = printParseErrorCode(code);
  return `${PARSE_ERROR_WORDS[name] ?? 'syntax error'} (${name})`;
}

export type JsoncDocument = {
  value: unknown;
  sourceMap: SourceMap;
  /** What the source map is made of (plain data: it can cross to another thread). */
  located: Located;
  /** Every top-level key as written, in order (with where it is written), including those not read. */
  topLevelKeys: TopLevelKey[];
};

/** A top-level key and, when it was read from a file, its 1-based line and column. */
export type TopLevelKey = { key: string; line?: number; column?: number };

export type ReadJsoncOptions = {
  /**
   * Which top-level properties to read into `value` and the source map; the others are only listed
   * in `topLevelKeys`, never built, so thousands of keys nobody reads cost little more than scanning.
   */
  readTopLevel?: (key: string) => boolean;
  maxBytes?: number;
  maxDepth?: number;
};

type Frame = {
  container: Record<string, unknown> | unknown[] | undefined;
  located: Located;
  /** The key of the property whose value comes next (objects only), and where it is written. */
  key?: string;
  keyAt?: Position;
};

/** Sets a property without `__proto__` turning into a prototype change. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else target[key] = value;
}

/**
 * Parses JSON with comments and trailing commas, as devcontainer.json allows, in one pass that also
 * records where every value is written. Throws a Syntax ConfigError at the first problem (later ones
 * are often knock-on effects of the first), and before doing any work on a file that is too large or
 * nested too deeply (recursion that deep would overflow the stack).
 */
export function readJsonc(text: string, file: string, options: ReadJsoncOptions = {}): JsoncDocument {
  const maxBytes = options.maxBytes ?? MAX_CONFIG_BYTES;
  const maxDepth = options.maxDepth ?? MAX_CONFIG_DEPTH;
  // Characters are at most 3 UTF-8 bytes each (4 for a surrogate pair, which is 2 characters).
  if (text.length * 3 > maxBytes && Buffer.byteLength(text) > maxBytes) {
    throw configTooLarge(file, Buffer.byteLength(text), maxBytes);
  }
  // Editors save a byte order mark that is not part of the JSON; columns do not count it either.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const fail = (message: string, line: number, character: number): never => {
    throw new ConfigError({
      code: 'Syntax',
      file,
      message,
      position: { line: line + 1, column: character + 1 },
    });
  };

  const stack: Frame[] = [];
  const topLevelKeys: TopLevelKey[] = [];
  let root: Located | undefined;
  let value: unknown;
  /** Containers opened below a property that is not read: counted, not built. */
  let skipping = 0;

  /** Places a finished value (or a container just opened) into its parent. */
  const place = (v: unknown, line: number, ch: number): Located => {
    const parent = stack[stack.length - 1];
    const located: Located = { value: { line: line + 1, column: ch + 1 } };
    if (!parent) {
      root = located;
      value = v;
      return located;
    }
    parent.located.children ??= new Map();
    if (Array.isArray(parent.container)) {
      parent.located.children.set(parent.container.length, located);
      parent.container.push(v);
    } else {
      const key = parent.key ?? '';
      located.key = parent.keyAt;
      parent.located.children.set(key, located);
      if (parent.container) setOwn(parent.container, key, v);
    }
    return located;
  };
  /** Whether the value about to come belongs to a top-level property that is not read. */
  const unread = () => {
    const parent = stack[stack.length - 1];
    return stack.length === 1 && parent?.key !== undefined && !parent.container;
  };
  const open = (container: Record<string, unknown> | unknown[], line: number, ch: number) => {
    if (stack.length + skipping >= maxDepth) {
      fail(
        `objects and arrays are nested more than ${maxDepth} deep here; devrig does not read configs nested that deeply`,
        line,
        ch,
      );
    }
    if (skipping > 0 || unread()) {
      skipping++;
      return;
    }
    const located = place(container, line, ch);
    // The top-level object is built empty; its properties decide one by one whether they are read.
    stack.push({ container, located });
  };
  const close = () => {
    if (skipping > 0) skipping--;
    else stack.pop();
  };

  visit(
    body,
    {
      onObjectBegin: (_offset, _length, line, ch) => open({}, line, ch),
      onArrayBegin: (_offset, _length, line, ch) => open([], line, ch),
      onObjectEnd: close,
      onArrayEnd: close,
      onObjectProperty: (key, _offset, _length, line, ch) => {
        if (skipping > 0) return;
        const frame = stack[stack.length - 1]!;
        frame.key = key;
        if (stack.length !== 1) {
          frame.keyAt = { line: line + 1, column: ch + 1 };
          return;
        }
        // Top level: the key is listed either way; only a property that is read gets built.
        topLevelKeys.push({ key, line: line + 1, column: ch + 1 });
        const read = options.readTopLevel?.(key) ?? true;
        frame.container = read ? (value as Record<string, unknown>) : undefined;
        frame.keyAt = read ? { line: line + 1, column: ch + 1 } : undefined;
      },
      onLiteralValue: (literal: unknown, _offset, _length, line, ch) => {
        if (skipping > 0 || unread()) return;
        place(literal, line, ch);
      },
      onError: (error, _offset, _length, line, ch) => fail(describeParseError(error), line, ch),
    },
    { allowTrailingComma: true, disallowComments: false },
  );
  if (!root) return fail('the file is empty', 0, 0);
  return { value, sourceMap: createSourceMap(root), located: root, topLevelKeys };
}
