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

/**
 * One source's commands for a hook (an image's metadata, a Feature, devcontainer.json): a step's commands
 * run together (in parallel), and a hook's steps one after another.
 */
export type LifecycleStep = { origin: string; commands: LifecycleCommand[] };

/** The origin devcontainer.json's own commands carry as a step. */
export const CONFIG_ORIGIN = 'devcontainer.json';

/**
 * A hook's steps in the order they run, as the reference runs them: the image's metadata and then the
 * Features (in install order) from `metadataHooks`, then devcontainer.json's own commands last.
 */
export function lifecycleSteps(
  config: {
    lifecycle: Record<LifecycleHook, LifecycleCommand[]>;
    metadataHooks?: Partial<Record<LifecycleHook, LifecycleStep[]>>;
  },
  hook: LifecycleHook,
): LifecycleStep[] {
  const own = config.lifecycle[hook];
  return [
    ...(config.metadataHooks?.[hook] ?? []),
    ...(own.length ? [{ origin: CONFIG_ORIGIN, commands: own }] : []),
  ];
}
