import type { LifecycleHook, WaitFor } from '../../devcontainer';

/** What Ready waits for when devcontainer.json does not say (the spec's default). */
export const DEFAULT_WAIT_FOR: WaitFor = 'updateContentCommand';

/** The hooks that run in a container, in order (initializeCommand runs on the runner's machine first). */
const CONTAINER_HOOKS = [
  'onCreateCommand',
  'updateContentCommand',
  'postCreateCommand',
  'postStartCommand',
] as const;

export type ContainerHook = (typeof CONTAINER_HOOKS)[number];

/**
 * The container's lifecycle hooks split at waitFor: Ready (and `devrig up`, and the editor's open)
 * waits for `blocking`; `background` goes on after Ready, reporting in its own condition, and a
 * failure there does not take Ready away. postAttachCommand is neither: it runs per attach. Pure.
 */
export function splitAtWaitFor(waitFor: WaitFor | undefined): {
  blocking: ContainerHook[];
  background: ContainerHook[];
} {
  const last = waitFor ?? DEFAULT_WAIT_FOR;
  // initializeCommand: nothing in the container is waited for (it has run before the container exists).
  const cut = last === 'initializeCommand' ? 0 : CONTAINER_HOOKS.indexOf(last as ContainerHook) + 1;
  return { blocking: CONTAINER_HOOKS.slice(0, cut), background: CONTAINER_HOOKS.slice(cut) };
}

/** Whether `hook` is one Ready waits for. */
export function isBlocking(hook: LifecycleHook, waitFor: WaitFor | undefined): boolean {
  if (hook === 'initializeCommand') return true;
  return (splitAtWaitFor(waitFor).blocking as readonly string[]).includes(hook);
}
