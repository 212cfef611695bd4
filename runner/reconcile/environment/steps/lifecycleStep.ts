import type { ResolvedDevcontainer, WaitFor } from '../../../devcontainer';
import type { ContainerObservation, ContainerProvider } from '../../../providers/provider';
import { TerminalError } from '../../controller';
import type { BackgroundHooks } from '../backgroundHooks';
import { LifecycleError, runHook, type HookRun } from '../lifecycle';
import { writeMarkers, type MarkerCache, type Markers } from '../markers';
import { splitAtWaitFor, type ContainerHook } from '../waitFor';
import type { StepContext } from './stepContext';

/**
 * What Ready waits for: the config's waitFor; without one, every hook, as `devcontainer up` runs
 * them all (the spec's default, updateContentCommand, is what an editor waits for; devrig splits
 * only when the config asks, so `devrig up` returning means the hooks it knows have run).
 */
function waitForOf(config: ResolvedDevcontainer): WaitFor {
  return config.waitFor ?? 'postStartCommand';
}

export interface LifecycleInput {
  provider: ContainerProvider;
  container: ContainerObservation;
  /** The configuration the container applies (its lifecycle commands). */
  config: ResolvedDevcontainer;
  /** What the commands' processes get: the probed user environment, remoteEnv, spec.env and secrets. */
  processEnv: Record<string, string>;
  /** Where the commands after waitFor run, once the environment is Ready. */
  background: BackgroundHooks;
}

const reasonFor = {
  onCreateCommand: 'OnCreateCommandFailed',
  updateContentCommand: 'UpdateContentCommandFailed',
  postCreateCommand: 'PostCreateCommandFailed',
  postStartCommand: 'PostStartCommandFailed',
} as const;

const CREATE_HOOKS = ['onCreateCommand', 'updateContentCommand', 'postCreateCommand'] as const;

/**
 * The hooks this container start still needs, in order: the create hooks not done yet (`created` is
 * all of them; `createdThrough` the last one done when Ready came before the rest), then postStart
 * unless it ran for this start (its marker holds the container's StartedAt).
 */
export function pendingHooks(markers: Markers, startedAt: string): ContainerHook[] {
  const through = markers.createdThrough as ContainerHook | undefined;
  const doneCreate =
    markers.created === 'done'
      ? CREATE_HOOKS.length
      : through
        ? CREATE_HOOKS.indexOf(through as never) + 1
        : 0;
  return [
    ...CREATE_HOOKS.slice(doneCreate),
    ...(markers.postStart === startedAt ? [] : (['postStartCommand'] as const)),
  ];
}

function markDone(markers: Markers, hook: ContainerHook, startedAt: string): void {
  if (hook === 'postStartCommand') {
    markers.postStart = startedAt;
    return;
  }
  markers.createdThrough = hook;
  if (hook === 'postCreateCommand') markers.created = 'done';
}

/**
 * Lifecycle (LifecycleComplete, BackgroundCommandsComplete): onCreate/updateContent/postCreate once
 * per container; postStart once per start. Ready waits for the hooks up to waitFor (default
 * updateContentCommand); the rest run after it, reported in BackgroundCommandsComplete, where a
 * failure shows without taking Ready away. A failed hook is recorded in the container, so it is not
 * rerun until the container is restarted or recreated.
 */
export async function lifecycleStep(
  ctx: StepContext,
  markerCache: MarkerCache,
  input: LifecycleInput,
): Promise<void> {
  const { draft, signal } = ctx;
  const { provider, container, config } = input;
  const markers = await markerCache.get(provider, container.id);
  const failed = markers.failed?.split(' ');
  if (failed && failed[0] === container.startedAt) {
    throw new TerminalError(draft.condition('LifecycleComplete')?.message ?? `${failed[1]} failed`);
  }
  const pending = pendingHooks(markers, container.startedAt);
  const split = splitAtWaitFor(waitForOf(config));
  const now = pending.filter((h) => split.blocking.includes(h));
  const later = pending.filter((h) => split.background.includes(h));
  if (now.length > 0) {
    // Ready waits for these: a spec change, a delete or the runner stopping cancels them.
    const run = hookRun(ctx, input, signal);
    for (const hook of now) {
      if (config.lifecycle[hook].length > 0) {
        draft.set('LifecycleComplete', 'False', 'Running', `running ${hook}`);
        draft.set('Ready', 'False', 'Running', `running ${hook}`);
        ctx.progress();
      }
      try {
        await runHook(provider, container.id, hook, config.lifecycle[hook], run);
      } catch (e) {
        if (signal.aborted) throw e;
        const msg = (e as Error).message;
        draft.set('LifecycleComplete', 'False', reasonFor[hook], msg);
        draft.set('Ready', 'False', reasonFor[hook], msg);
        if (e instanceof LifecycleError) {
          markers.failed = `${container.startedAt} ${hook}`;
          await writeMarkers(provider, container.id, markers);
          throw new TerminalError(msg, { cause: e });
        }
        throw e;
      }
      markDone(markers, hook, container.startedAt);
    }
    // Written alongside the Ready status rather than before it: a crash in between
    // only means the hooks run once more (at least once, never skipped).
    draft.deferred.push(
      writeMarkers(provider, container.id, markers).catch((e) => {
        markerCache.forget(container.id);
        throw e;
      }),
    );
  }
  const after = later.filter((h) => config.lifecycle[h].length > 0);
  draft.set(
    'LifecycleComplete',
    'True',
    'Completed',
    after.length
      ? `lifecycle commands up to ${waitForOf(config)} (waitFor) have run; ${after.join(', ')} run after Ready`
      : 'lifecycle commands have run',
  );
  backgroundStep(ctx, markerCache, input, markers, later);
}

function hookRun(ctx: StepContext, input: LifecycleInput, signal?: AbortSignal): HookRun {
  return {
    user: ctx.draft.status.remoteUser ?? 'root',
    workdir: ctx.draft.status.workspaceFolder ?? input.config.workspaceFolder,
    env: input.processEnv,
    log: ctx.log,
    ...(signal ? { signal } : {}),
  };
}

/** The hooks after waitFor: started once per container start, outside the reconcile; their state here. */
function backgroundStep(
  ctx: StepContext,
  markerCache: MarkerCache,
  input: LifecycleInput,
  markers: Markers,
  later: ContainerHook[],
): void {
  const { draft, env } = ctx;
  const { provider, container, config } = input;
  const startedAt = container.startedAt;
  const withCommands = split(config).filter((h) => config.lifecycle[h].length > 0);
  if (withCommands.length === 0) {
    draft.remove('BackgroundCommandsComplete');
    return;
  }
  const failed = markers.backgroundFailed?.split(' ');
  if (failed && failed[0] === startedAt) {
    const hook = failed[1] as ContainerHook;
    const known = draft.condition('BackgroundCommandsComplete');
    if (known?.reason !== reasonFor[hook])
      draft.set('BackgroundCommandsComplete', 'False', reasonFor[hook], `${hook} failed (see devrig logs)`);
    return;
  }
  if (later.length === 0) {
    draft.set(
      'BackgroundCommandsComplete',
      'True',
      'Completed',
      `${withCommands.join(', ')} ran after Ready`,
    );
    return;
  }
  // Its own abort: the reconcile that starts it ends long before it does.
  const state = input.background.ensure(
    env.metadata.name,
    `${container.id} ${startedAt}`,
    async (starting, jobSignal) => {
      const run = hookRun(ctx, input, jobSignal);
      for (const hook of later) {
        if (config.lifecycle[hook].length > 0) starting(hook);
        try {
          await runHook(provider, container.id, hook, config.lifecycle[hook], run);
        } catch (e) {
          // Cancelled (the environment stopped, was deleted or recreated): nothing to report.
          if (jobSignal.aborted) return false;
          // The container stopped or went under it: the next start runs the hooks again.
          const now = await provider.inspectContainer(container.id).catch(() => undefined);
          if (!now?.running || now.startedAt !== startedAt) return false;
          markers.backgroundFailed = `${startedAt} ${hook}`;
          await writeMarkers(provider, container.id, markers).catch(() => markerCache.forget(container.id));
          throw Object.assign(e as Error, { hook });
        }
        markDone(markers, hook, startedAt);
        await writeMarkers(provider, container.id, markers).catch(() => markerCache.forget(container.id));
      }
      return true;
    },
  );
  switch (state.state) {
    case 'running':
      draft.set(
        'BackgroundCommandsComplete',
        'False',
        'Running',
        `running ${state.hook || later[0]} after Ready (waitFor is ${waitForOf(config)})`,
      );
      break;
    case 'failed':
      draft.set(
        'BackgroundCommandsComplete',
        'False',
        reasonFor[state.hook as ContainerHook] ?? 'PostCreateCommandFailed',
        state.message,
      );
      break;
    case 'done':
      draft.set(
        'BackgroundCommandsComplete',
        'True',
        'Completed',
        `${withCommands.join(', ')} ran after Ready`,
      );
  }
}

/** The hooks after waitFor in this configuration (whether or not they are pending now). */
function split(config: ResolvedDevcontainer): ContainerHook[] {
  return splitAtWaitFor(waitForOf(config)).background;
}
