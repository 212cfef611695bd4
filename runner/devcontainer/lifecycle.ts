import type { LifecycleCommandValue } from './schema';

export const LIFECYCLE_HOOKS = [
  'initializeCommand',
  'onCreateCommand',
  'updateContentCommand',
  'postCreateCommand',
  'postStartCommand',
  'postAttachCommand',
] as const;
export type LifecycleHook = (typeof LIFECYCLE_HOOKS)[number];

/**
 * One command to run: `shell` runs through `/bin/sh -c`, `argv` runs directly without a shell. Exactly one
 * of the two is set.
 */
export type LifecycleCommand = { name: string; shell?: string; argv?: string[] };

function single(name: string, value: string | string[]): LifecycleCommand[] {
  if (typeof value === 'string') return value.trim() === '' ? [] : [{ name, shell: value }];
  return value.length === 0 ? [] : [{ name, argv: [...value] }];
}

/**
 * Normalises a lifecycle property: a string is one shell command, an array one argv, an object several
 * named commands (which the spec runs in parallel) in key order. The single forms are named after the hook.
 */
export function normalizeLifecycleCommand(
  hook: LifecycleHook,
  value: LifecycleCommandValue | undefined,
): LifecycleCommand[] {
  if (value === undefined) return [];
  if (typeof value === 'string' || Array.isArray(value)) return single(hook, value);
  return Object.entries(value).flatMap(([name, command]) => single(name, command));
}

/** Every hook, missing ones as []. */
export function normalizeLifecycle(
  config: Partial<Record<LifecycleHook, LifecycleCommandValue>>,
): Record<LifecycleHook, LifecycleCommand[]> {
  return Object.fromEntries(
    LIFECYCLE_HOOKS.map((hook) => [hook, normalizeLifecycleCommand(hook, config[hook])]),
  ) as Record<LifecycleHook, LifecycleCommand[]>;
}
