import type { ResolvedDevcontainer } from '../../../devcontainer';
import type { ContainerObservation, ContainerProvider } from '../../../providers/provider';
import { TerminalError } from '../../controller';
import { LifecycleError, runHook } from '../lifecycle';
import type { MarkerStore } from '../markers';
import type { StepContext } from './stepContext';

export interface LifecycleInput {
  provider: ContainerProvider;
  container: ContainerObservation;
  /** The configuration the container applies (its lifecycle commands). */
  config: ResolvedDevcontainer;
  /** What the commands' processes get: remoteEnv, spec.env and secrets. */
  processEnv: Record<string, string>;
}

const reasonFor = {
  onCreateCommand: 'OnCreateCommandFailed',
  updateContentCommand: 'UpdateContentCommandFailed',
  postCreateCommand: 'PostCreateCommandFailed',
  postStartCommand: 'PostStartCommandFailed',
} as const;

/**
 * Lifecycle (LifecycleComplete): onCreate/updateContent/postCreate once per container; postStart
 * once per start (its marker holds the container's StartedAt). A failed hook is recorded the same
 * way, so it is not rerun until the container is restarted or recreated.
 */
export async function lifecycleStep(
  ctx: StepContext,
  markerStore: MarkerStore,
  { provider, container, config, processEnv }: LifecycleInput,
): Promise<void> {
  const { draft, log, signal } = ctx;
  const markers = await markerStore.get(provider, container.id);
  const failed = markers.failed?.split(' ');
  if (failed && failed[0] === container.startedAt) {
    throw new TerminalError(draft.condition('LifecycleComplete')?.message ?? `${failed[1]} failed`);
  }
  const created = markers.created === 'done';
  const started = markers.postStart === container.startedAt;
  if (created && started) {
    draft.set('LifecycleComplete', 'True', 'Completed', 'lifecycle commands have run');
    return;
  }
  const run = {
    user: draft.status.remoteUser ?? 'root',
    workdir: draft.status.workspaceFolder ?? config.workspaceFolder,
    env: processEnv,
    log,
    signal,
  };
  const hooks = [
    ...(created ? [] : (['onCreateCommand', 'updateContentCommand', 'postCreateCommand'] as const)),
    'postStartCommand' as const,
  ];
  for (const hook of hooks) {
    if (config.lifecycle[hook].length === 0) continue;
    draft.set('LifecycleComplete', 'False', 'Running', `running ${hook}`);
    draft.set('Ready', 'False', 'Running', `running ${hook}`);
    ctx.progress();
    try {
      await runHook(provider, container.id, hook, config.lifecycle[hook], run);
    } catch (e) {
      if (signal.aborted) throw e;
      const msg = (e as Error).message;
      draft.set('LifecycleComplete', 'False', reasonFor[hook], msg);
      draft.set('Ready', 'False', reasonFor[hook], msg);
      if (e instanceof LifecycleError) {
        await markerStore.write(provider, container.id, { failed: `${container.startedAt} ${hook}` });
        throw new TerminalError(msg, { cause: e });
      }
      throw e;
    }
  }
  // Written alongside the Ready status rather than before it: a crash in between
  // only means postStart runs once more (at least once, never skipped).
  draft.deferred.push(
    markerStore
      .write(provider, container.id, { created: 'done', postStart: container.startedAt })
      .catch((e) => {
        markerStore.uncache(provider, container.id);
        throw e;
      }),
  );
  draft.set('LifecycleComplete', 'True', 'Completed', 'lifecycle commands have run');
}
