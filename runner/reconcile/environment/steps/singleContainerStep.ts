import type { Environment } from '../../../api';
import { LABELS, type ContainerObservation, type ContainerProvider } from '../../../providers/provider';
import { buildContainerSpec, environmentHash, legacyEnvironmentHash, remoteUserOf } from '../containerSpec';
import { decideContainerAction } from '../decide';
import type { EnvironmentHooks } from '../hooks';
import type { MarkerCache } from '../markers';
import {
  COMPOSE_SERVICE_KIND,
  ownedBy,
  reportDrift,
  type ContainerInput,
  type ContainerOutput,
  type ContainerStep,
} from './containerStep';
import type { StepContext } from './stepContext';

export interface SingleContainerDeps {
  runnerId: string;
  hooks: EnvironmentHooks;
  markers: MarkerCache;
  stopTimeoutSeconds: number;
}

/** An environment that is one container made from an image or a Dockerfile. */
export class SingleContainerStep implements ContainerStep {
  constructor(private readonly deps: SingleContainerDeps) {}

  async run(ctx: StepContext, input: ContainerInput): Promise<ContainerOutput> {
    const { env, draft, log } = ctx;
    const { provider, resolved } = input;
    const observed = await this.pick(provider, own(input.found), log);
    const restartRequested = this.restartRequested(ctx);
    const action = decideContainerAction({
      desired: 'Running',
      observed,
      envHash: environmentHash(env),
      legacyEnvHash: legacyEnvironmentHash(env, input.resources),
      restartRequested,
    });
    input.authorize(action);
    if (action.type !== 'none' && action.type !== 'stop') {
      // Whatever lifecycle state was reported belongs to the old container or start.
      draft.set('LifecycleComplete', 'False', 'Waiting', 'waiting for the container to start');
    }
    // A new container is labelled with what it is made from now (build inputs hashed afresh);
    // otherwise only drift reporting reads this, and a recent hash will do.
    const hashes = await input.hashes(action.type === 'create' || action.type === 'recreate');
    let config = resolved;
    let containerId = observed?.id;
    const stopTimeout = this.deps.stopTimeoutSeconds;
    switch (action.type) {
      case 'create':
      case 'recreate': {
        const { image, workspace } = await input.prepare(hashes);
        await input.initialize();
        config = image.config;
        const spec = buildContainerSpec({
          env,
          resolved: config,
          imageRef: image.ref,
          imageUser: image.user,
          workspace,
          resources: input.resources,
          configHash: hashes.config,
          runnerId: this.deps.runnerId,
        });
        draft.set('ContainerRunning', 'False', 'Creating', action.reason);
        draft.set('Ready', 'False', 'Creating', 'creating the container');
        ctx.progress();
        if (action.type === 'recreate' && observed) {
          log(`Recreating the container: ${action.reason}`);
          await this.deps.hooks.beforeStop(env, observed.id);
          await provider.removeContainer(observed.id);
          this.deps.markers.forget(observed.id);
        }
        log(`Creating container ${spec.name} from ${image.ref}`);
        containerId = await provider.createContainer(spec);
        this.deps.markers.created(containerId);
        await provider.startContainer(containerId);
        break;
      }
      case 'start':
        log(`Starting the container: ${action.reason}`);
        draft.set('ContainerRunning', 'False', 'Starting', action.reason);
        ctx.progress();
        await input.initialize();
        await provider.startContainer(containerId!);
        break;
      case 'unpause':
        log(`Unpausing the container: ${action.reason}`);
        await provider.unpauseContainer(containerId!);
        break;
      case 'restart':
        log('Restarting the container');
        draft.set('ContainerRunning', 'False', 'Starting', action.reason);
        ctx.progress();
        await this.deps.hooks.beforeStop(env, containerId!);
        await provider.stopContainer(containerId!, stopTimeout);
        await input.initialize();
        await provider.startContainer(containerId!);
        break;
      case 'stop':
      case 'none':
        break;
    }
    if (restartRequested) draft.status.restartHandled = env.spec.restart;

    const container = await provider.inspectContainer(containerId!);
    if (!container) throw new Error('the container disappeared while starting');
    if (!container.running) {
      const why = container.oomKilled ? 'it ran out of memory' : `it exited with code ${container.exitCode}`;
      draft.set('ContainerRunning', 'False', 'Exited', `the container stopped right after starting: ${why}`);
      throw new Error(`the container stopped right after starting: ${why}`);
    }
    if (!draft.isTrue('ImageReady')) draft.set('ImageReady', 'True', 'Present', 'the container exists');
    draft.set('ContainerRunning', 'True', 'Running', `running since ${container.startedAt}`);
    reportDrift(ctx, container, resolved, hashes.config);
    const s = draft.status;
    s.containerId = container.id;
    s.containerName = container.name;
    s.startedAt = container.startedAt;
    s.workspaceFolder = container.labels[LABELS.workspaceFolder] ?? resolved.workspaceFolder;
    s.remoteUser = container.labels[LABELS.remoteUser] ?? remoteUserOf(resolved, '');
    s.image = resolved.image ?? s.image;
    return { container, config };
  }

  async stop(ctx: StepContext, input: Pick<ContainerInput, 'provider' | 'found'>): Promise<void> {
    const { env, draft, log } = ctx;
    const observed = await this.pick(input.provider, own(input.found), log);
    const action = decideContainerAction({
      desired: 'Stopped',
      observed,
      envHash: environmentHash(env),
      restartRequested: false,
    });
    if (action.type === 'stop' && observed) {
      draft.set('ContainerRunning', 'True', 'Stopping', 'stopping the container');
      draft.set('Ready', 'False', 'Stopping', 'the environment is stopping');
      ctx.progress();
      log('Stopping the container');
      await this.deps.hooks.beforeStop(env, observed.id);
      await input.provider.stopContainer(observed.id, this.deps.stopTimeoutSeconds);
      log('Stopped');
    }
    draft.set(
      'ContainerRunning',
      'False',
      'Stopped',
      observed ? 'the container is stopped' : 'no container yet',
    );
    draft.set('Ready', 'False', 'Stopped', 'the environment is stopped');
    if (this.restartRequested(ctx)) draft.status.restartHandled = env.spec.restart;
    draft.status.startedAt = undefined;
  }

  async remove(
    ctx: { env: Environment; log: (line: string) => void },
    provider: ContainerProvider,
  ): Promise<void> {
    for (const c of own(await provider.findContainers(ownedBy(this.deps.runnerId, ctx.env)))) {
      ctx.log(`Removing container ${c.name}`);
      if (c.running) await this.deps.hooks.beforeStop(ctx.env, c.id);
      await provider.removeContainer(c.id);
      this.deps.markers.forget(c.id);
    }
  }

  private restartRequested(ctx: StepContext): boolean {
    const { restart } = ctx.env.spec;
    return restart !== undefined && restart !== ctx.draft.status.restartHandled;
  }

  /** More than one container (a crash between create and remove): keep the newest, remove the rest. */
  private async pick(
    provider: ContainerProvider,
    found: ContainerObservation[],
    log: (line: string) => void,
  ): Promise<ContainerObservation | undefined> {
    if (found.length <= 1) return found[0];
    const sorted = [...found].sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
    for (const extra of sorted.slice(1)) {
      log(`Removing a duplicate container ${extra.name}`);
      await provider.removeContainer(extra.id);
    }
    return sorted[0];
  }
}

/** The environment's single containers: a Compose project's service containers are the Compose step's. */
function own(found: ContainerObservation[]): ContainerObservation[] {
  return found.filter((c) => c.labels[LABELS.kind] !== COMPOSE_SERVICE_KIND);
}
