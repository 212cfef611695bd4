import {
  parseTree,
  getNodeValue,
  printParseErrorCode,
  type ParseErrorCode,
  type ParseError,
} from 'jsonc-parser';
import { ConfigError } from './errors';
import { createSourceMap, positionFinder, type SourceMap } from './sourceMap';

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

export type JsoncDocument = { value: unknown; sourceMap: SourceMap };

/**
 * Parses JSON with comments and trailing commas, as devcontainer.json allows. Throws a Syntax ConfigError
 * at the first problem: later ones are often knock-on effects of the first.
 */
export function readJsonc(text: string, file: string): JsoncDocument {
  // Editors save a byte order mark that is not part of the JSON; columns do not count it either.
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const errors: ParseError[] = [];
  const root = parseTree(body, errors, { allowTrailingComma: true, disallowComments: false });
  const first = errors[0];
  if (first) {
    throw new ConfigError({
      code: 'Syntax',
      file,
      message: describeParseError(first.error),
      position: positionFinder(body)(first.offset),
    });
  }
  if (!root) {
    throw new ConfigError({
      code: 'Syntax',
      file,
      message: 'the file is empty',
      position: { line: 1, column: 1 },
    });
  }
  return { value: getNodeValue(root) as unknown, sourceMap: createSourceMap(body, root) };
}
