import type { z } from 'zod';
import type { PropertyPath } from './propertyPath';

/** One thing wrong with the config, at a path. */
export type ConfigIssue = { path: PropertyPath; message: string };

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  record: 'an object',
};

/**
 * Per-parse messages for the issues the schema does not word itself; they are prefixed with the
 * property path, so they read `"name" must be a string`.
 */
export const issueMessage: z.core.$ZodErrorMap = (issue) => {
  if (issue.input === undefined && issue.code === 'invalid_type') return 'is required';
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `must be at least ${String(issue.minimum)}`;
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`;
    default:
      return undefined;
  }
};

type RawIssue = z.core.$ZodIssue;

/** A union branch whose value had the right type at its root: its own, deeper issues say more. */
function matchedType(branch: readonly RawIssue[]): boolean {
  return !branch.some((i) => i.path.length === 0 && i.code === 'invalid_type' && i.expected !== 'int');
}

function flatten(issue: RawIssue, prefix: PropertyPath): ConfigIssue[] {
  const path = [...prefix, ...issue.path.filter((k): k is string | number => typeof k !== 'symbol')];
  if (issue.code === 'invalid_union') {
    const matching = issue.errors.filter(matchedType);
    const only = matching.length === 1 ? matching[0] : undefined;
    if (only && only.length > 0) return only.flatMap((i) => flatten(i, path));
  }
  return [{ path, message: issue.message }];
}

/** Zod's issues as path + message, seeing through unions to the branch the value was meant for. */
export function configIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.flatMap((issue) => flatten(issue, []));
}
