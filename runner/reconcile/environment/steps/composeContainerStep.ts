import { rm } from 'node:fs/promises';
import type { Environment, ServiceStatus } from '../../../api';
import {
  COMPOSE_SERVICE_LABEL,
  ComposeCommandError,
  composeOverride,
  configDriftedServices,
  decideComposeAction,
  findForeignContainers,
  isDone,
  observeServices,
  oneShotServices,
  publishedPortNotes,
  removeComposeProject,
  servicesToRun,
  startedServices,
  unknownServices,
  type ComposeAction,
  type ServiceObservation,
} from '../../../compose';
import type { ResolvedCompose, ResolvedDevcontainer } from '../../../devcontainer';
import { LABELS, type ContainerObservation, type ContainerProvider } from '../../../providers/provider';
import { TerminalError } from '../../controller';
import {
  bindsWorkspace,
  composeLabels,
  composeRemoteUser,
  devServiceSettings,
  serviceHostRequests,
  workspaceVolumeTarget,
} from '../composeDev';
import { ComposeStepError, composeStateDir, type ComposeProjects, type OpenProject } from '../composeSetup';
import { environmentHash, legacyEnvironmentHash, stableHash } from '../containerSpec';
import type { ContainerAction } from '../decide';
import type { EnvironmentHooks } from '../hooks';
import type { MarkerCache } from '../markers';
import {
  COMPOSE_SERVICE_KIND,
  ownedBy,
  type ContainerInput,
  type ContainerOutput,
  type ContainerStep,
} from './containerStep';
import { remoteUserUidStep } from './remoteUserUidStep';
import type { StepContext } from './stepContext';

export interface ComposeContainerDeps {
  runnerId: string;
  hooks: EnvironmentHooks;
  markers: MarkerCache;
  stopTimeoutSeconds: number;
  projects: ComposeProjects;
}

const isServiceContainer = (c: ContainerObservation) => c.labels[LABELS.kind] === COMPOSE_SERVICE_KIND;

/**
 * An environment that is a Docker Compose project, run through the real Compose CLI with devrig's
 * override (its labels on every service container: the truth for adoption and drift). The dev
 * service is where sessions, exec and lifecycle commands land.
 */
export class ComposeContainerStep implements ContainerStep {
  constructor(private readonly deps: ComposeContainerDeps) {}

  async run(ctx: StepContext, input: ContainerInput): Promise<ContainerOutput> {
    try {
      return await this.converge(ctx, input, input.resolved.compose!);
    } catch (e) {
      throw this.failed(ctx, e);
    }
  }

  private async converge(
    ctx: StepContext,
    input: ContainerInput,
    compose: ResolvedCompose,
  ): Promise<ContainerOutput> {
    const { env, draft, log } = ctx;
    const { provider, resolved } = input;
    const open = await this.deps.projects.open(env, provider, compose, ctx.signal);
    const { model, project } = open;
    draft.status.composeProject = open.name;
    checkServices(resolved, compose, open);
    const wanted = startedServices(model, servicesToRun(model, compose.service, compose.runServices));
    const oneShot = oneShotServices(model);
    const observed = observeServices(
      Object.keys(model.services),
      wanted,
      input.found.filter(isServiceContainer),
    );
    const action: ComposeAction = decideComposeAction({
      desired: 'Running',
      observed,
      specHash: environmentHash(env),
      acceptedSpecHashes: [legacyEnvironmentHash(env, input.resources)],
      oneShot,
    });
    const restartRequested = this.restartRequested(ctx);
    const restart = restartRequested && action.type === 'none';
    const creates =
      action.type === 'recreate' ||
      (action.type === 'up' && observed.some((o) => o.wanted && o.state === 'missing'));
    const consent: ContainerAction =
      action.type === 'recreate' || creates
        ? { type: action.type === 'recreate' ? 'recreate' : 'create', reason: action.reason }
        : action.type === 'up'
          ? { type: 'start', reason: action.reason }
          : restart
            ? { type: 'restart', reason: 'a restart was requested' }
            : { type: 'none' };
    // Before anything starts: what the services ask of this machine, judged with the rest.
    const serviceRequests = await serviceHostRequests(model, wanted, open.files);
    input.authorize(consent, undefined, serviceRequests);
    const notes = publishedPortNotes(model);
    if (consent.type !== 'none') {
      draft.set('LifecycleComplete', 'False', 'Waiting', 'waiting for the services to start');
    }
    const hashes = await input.hashes(creates);
    const configHash = stableHash({ config: hashes.config, model });
    let config = resolved;
    let workspaceTarget: string | null = null;
    if (creates) {
      const foreign = await findForeignContainers(provider, open.name, {
        runnerId: this.deps.runnerId,
        uid: env.metadata.uid,
      });
      if (foreign.length > 0) {
        const names = foreign.map((c) => c.name).join(', ');
        throw new ComposeStepError(
          'ProjectInUse',
          `the Compose project ${open.name} has containers devrig did not create (${names}); devrig does not touch them: remove them (docker compose -p ${open.name} down) or give the project another name (COMPOSE_PROJECT_NAME or name: in the Compose file)`,
          true,
        );
      }
      // Only other services missing (one removed behind devrig's back): the override the dev
      // service was made with makes them too, as they were.
      const devMissing = !observed.some((o) => o.service === compose.service && o.state !== 'missing');
      if (action.type === 'recreate' || devMissing || !project.usesOverride) {
        // Judged again once the dev service's image says what it and its Features ask (privileged, …).
        const authorize = (applied: ResolvedDevcontainer) =>
          input.authorize(consent, applied, serviceRequests);
        const made = await this.prepare(ctx, input, open, wanted, configHash, notes, authorize);
        config = made.config;
        workspaceTarget = made.workspaceTarget;
      }
      draft.set(
        'ContainerRunning',
        'False',
        action.type === 'recreate' ? 'Creating' : 'Starting',
        action.reason,
      );
      draft.set('Ready', 'False', 'Creating', `starting the services: ${action.reason}`);
      ctx.progress();
      if (action.type === 'recreate') await this.beforeRecreate(ctx, provider, input.found);
      await input.initialize();
      log(`Starting the Compose project ${open.name}: ${wanted.join(', ')}`);
      await project.up(wanted, {
        recreate: action.type === 'recreate' ? 'force' : 'never',
        log: composeLog(ctx),
        signal: ctx.signal,
      });
    } else if (action.type === 'up' || restart) {
      const why = action.type === 'up' ? action.reason : 'a restart was requested';
      draft.set('ContainerRunning', 'False', 'Starting', why);
      ctx.progress();
      if (restart) {
        const dev = observed.find((o) => o.service === compose.service);
        if (dev?.containerId) await this.deps.hooks.beforeStop(env, dev.containerId);
        log(`Restarting the Compose project ${open.name}`);
        await project.stop({ timeoutSeconds: this.deps.stopTimeoutSeconds, log: composeLog(ctx) });
      } else log(`Starting the services: ${why}`);
      await input.initialize();
      await project.up(wanted, { recreate: 'never', log: composeLog(ctx), signal: ctx.signal });
    }
    if (restartRequested) draft.status.restartHandled = env.spec.restart;

    const now = observeServices(
      Object.keys(model.services),
      wanted,
      (await provider.findContainers(ownedBy(this.deps.runnerId, env))).filter(isServiceContainer),
    );
    draft.status.services = serviceStatuses(now, compose.service);
    addSupportNotes(ctx, notes);
    const devObserved = now.find((o) => o.service === compose.service);
    const container = devObserved?.containerId
      ? await provider.inspectContainer(devObserved.containerId)
      : undefined;
    const down = now.filter((o) => o.wanted && !o.running && !isDone(o, oneShot));
    if (!container || !container.running || down.length > 0) {
      const why = down.length
        ? down
            .map(
              (o) =>
                `${o.service} ${o.state === 'missing' ? 'has no container' : `exited with code ${o.exitCode}`}`,
            )
            .join(', ')
        : `${compose.service} is not running`;
      draft.set('ContainerRunning', 'False', 'Exited', `services stopped right after starting: ${why}`);
      throw new Error(`services stopped right after starting: ${why}`);
    }
    if (!draft.isTrue('ImageReady')) draft.set('ImageReady', 'True', 'Present', 'the services exist');
    const running = now.filter((o) => o.running).map((o) => o.service);
    draft.set('ContainerRunning', 'True', 'Running', `${running.join(', ')} running (project ${open.name})`);
    const drifted = configDriftedServices(now, configHash);
    if (drifted.length > 0) {
      draft.set(
        'UpToDate',
        'False',
        'ConfigChanged',
        `the Compose files, devcontainer.json or their inputs changed since ${drifted.join(', ')} ${drifted.length === 1 ? 'was' : 'were'} created; rebuild to apply`,
      );
    } else draft.set('UpToDate', 'True', 'InSync', 'the services match the configuration');
    const s = draft.status;
    s.containerId = container.id;
    s.containerName = container.name;
    s.startedAt = container.startedAt;
    s.workspaceFolder = container.labels[LABELS.workspaceFolder] ?? resolved.workspaceFolder;
    s.remoteUser =
      container.labels[LABELS.remoteUser] ?? composeRemoteUser(resolved, model, compose.service, '');
    s.image = model.services[compose.service]?.image ?? s.image;
    if (provider.remote && workspaceTarget === null) {
      workspaceTarget = workspaceVolumeTarget(model, compose.service, open.folder) ?? null;
    }
    return { container, config, workspaceTarget };
  }

  /**
   * Images and the override for services about to be created: Compose builds what has a build
   * section (from its cache: only what changed), the image step runs on the dev service's image
   * (Features and image metadata apply there), then the remote user's UID; the override carries it.
   */
  private async prepare(
    ctx: StepContext,
    input: ContainerInput,
    open: OpenProject,
    wanted: string[],
    configHash: string,
    notes: string[],
    authorize: (applied: ResolvedDevcontainer) => void,
  ): Promise<{ config: ResolvedDevcontainer; workspaceTarget: string | null }> {
    const { env, draft } = ctx;
    const { provider, resolved } = input;
    const { model, project } = open;
    const service = resolved.compose!.service;
    const toBuild = wanted.filter((s) => model.services[s]?.build);
    if (toBuild.length > 0) {
      draft.set('ImageReady', 'False', 'Building', `building ${toBuild.join(', ')} with Compose`);
      draft.set('Ready', 'False', 'Building', 'building the services');
      ctx.progress();
      try {
        await project.build(toBuild, { log: composeLog(ctx), signal: ctx.signal });
      } catch (e) {
        draft.set('ImageReady', 'False', 'BuildFailed', (e as Error).message);
        draft.set('Ready', 'False', 'BuildFailed', (e as Error).message);
        throw e;
      }
    }
    // Compose names a built image `<project>-<service>` unless the service names one.
    const base = model.services[service]?.image ?? `${open.name}-${service}`;
    const image = await input.imageFor({ ...resolved, image: base, build: undefined });
    const config = image.config;
    authorize(config);
    const remoteUser = composeRemoteUser(config, model, service, image.user);
    const bound = bindsWorkspace(model, service, open.folder) ? open.folder : undefined;
    const final = await remoteUserUidStep(ctx, {
      provider,
      runnerId: this.deps.runnerId,
      image,
      remoteUser,
      ...(bound ? { boundFolder: bound } : {}),
    });
    // An engine on another machine cannot see this folder: a volume holds the workspace instead.
    const volume = provider.remote ? await input.workspace() : undefined;
    const override = composeOverride({
      model,
      devService: service,
      labels: composeLabels(env, this.deps.runnerId, configHash),
      dev: devServiceSettings({
        env,
        config,
        model,
        service,
        ...(final.ref !== base ? { image: final.ref } : {}),
        remoteUser,
        folder: open.folder,
        resources: input.resources,
      }),
      ...(volume?.type === 'volume'
        ? { workspaceVolume: { folder: open.folder, volume: volume.volume } }
        : {}),
    });
    for (const u of override.unmappable) {
      notes.push(
        `${u} is under the workspace folder and cannot be mounted on host ${provider.name}: only the folder itself is (as a volume)`,
      );
    }
    await project.writeOverride(override);
    await this.deps.projects.remember(open);
    draft.status.image = final.ref;
    const target =
      volume?.type === 'volume' ? (workspaceVolumeTarget(model, service, open.folder) ?? null) : null;
    return { config, workspaceTarget: target };
  }

  /** A recreate: add-ons let go of the dev container; containers of a single-container past go. */
  private async beforeRecreate(
    ctx: StepContext,
    provider: ContainerProvider,
    found: ContainerObservation[],
  ): Promise<void> {
    for (const c of found) {
      if (c.running && (c.labels[LABELS.workspaceFolder] !== undefined || !isServiceContainer(c))) {
        await this.deps.hooks.beforeStop(ctx.env, c.id);
      }
      if (!isServiceContainer(c)) {
        ctx.log(`Removing container ${c.name} (the environment is a Compose project now)`);
        await provider.removeContainer(c.id);
      }
      this.deps.markers.forget(c.id);
    }
  }

  async stop(
    ctx: StepContext,
    input: Pick<ContainerInput, 'provider' | 'found' | 'resolved'>,
  ): Promise<void> {
    const { env, draft, log } = ctx;
    const compose = input.resolved.compose!;
    try {
      const mine = input.found.filter(isServiceContainer);
      const dev = mine.find((c) => c.labels[COMPOSE_SERVICE_LABEL] === compose.service);
      // shutdownAction none: the environment (its dev service) stops; the other services go on.
      const onlyDev = compose.shutdownAction === 'none';
      const toStop = mine.filter((c) => c.running && (!onlyDev || c === dev));
      if (toStop.length > 0) {
        draft.set('ContainerRunning', 'True', 'Stopping', 'stopping the services');
        draft.set('Ready', 'False', 'Stopping', 'the environment is stopping');
        ctx.progress();
        if (dev?.running) await this.deps.hooks.beforeStop(env, dev.id);
        const open = await this.deps.projects.open(env, input.provider, compose, ctx.signal);
        draft.status.composeProject = open.name;
        log(
          onlyDev
            ? `Stopping ${compose.service} (shutdownAction none)`
            : `Stopping the Compose project ${open.name}`,
        );
        await open.project.stop({
          timeoutSeconds: this.deps.stopTimeoutSeconds,
          ...(onlyDev ? { services: [compose.service] } : {}),
          log: composeLog(ctx),
        });
        log('Stopped');
      }
      const now = (await input.provider.findContainers(ownedBy(this.deps.runnerId, env))).filter(
        isServiceContainer,
      );
      const services = [...new Set(now.map((c) => c.labels[COMPOSE_SERVICE_LABEL] ?? ''))].filter(Boolean);
      draft.status.services = serviceStatuses(observeServices(services, [], now), compose.service);
      const still = now.filter((c) => c.running).map((c) => c.labels[COMPOSE_SERVICE_LABEL]);
      draft.set(
        'ContainerRunning',
        'False',
        'Stopped',
        mine.length === 0
          ? 'no containers yet'
          : still.length
            ? `${compose.service} is stopped; ${still.join(', ')} left running (shutdownAction none)`
            : 'the services are stopped',
      );
      draft.set('Ready', 'False', 'Stopped', 'the environment is stopped');
      if (this.restartRequested(ctx)) draft.status.restartHandled = env.spec.restart;
      draft.status.startedAt = undefined;
    } catch (e) {
      throw this.failed(ctx, e);
    }
  }

  async remove(
    ctx: { env: Environment; log: (line: string) => void },
    provider: ContainerProvider,
    opts: { volumes?: boolean } = {},
  ): Promise<void> {
    const { env, log } = ctx;
    const selector = { runnerId: this.deps.runnerId, uid: env.metadata.uid };
    const containers = (await provider.findContainers(ownedBy(this.deps.runnerId, env))).filter(
      isServiceContainer,
    );
    for (const c of containers) {
      if (c.running && c.labels[LABELS.workspaceFolder] !== undefined)
        await this.deps.hooks.beforeStop(env, c.id);
      this.deps.markers.forget(c.id);
    }
    const project = provider.engineEndpoint ? await this.deps.projects.recall(env, provider) : undefined;
    if (project) {
      log(`Removing the Compose project ${project.name}${opts.volumes ? ' with its named volumes' : ''}`);
      const { removedVolumes } = await removeComposeProject(project, provider, selector, {
        volumes: opts.volumes === true,
        removeImages: true,
        log: (l) => log(`compose | ${l}`),
      });
      for (const v of removedVolumes) log(`Removed volume ${v}`);
    } else {
      for (const c of containers) {
        log(`Removing container ${c.name}`);
        await provider.removeContainer(c.id);
      }
    }
    await rm(composeStateDir(this.deps.projects.root, env), { recursive: true, force: true });
    this.deps.projects.forget(env);
  }

  private restartRequested(ctx: StepContext): boolean {
    const { restart } = ctx.env.spec;
    return restart !== undefined && restart !== ctx.draft.status.restartHandled;
  }

  /** Reports a failure in the step's conditions; what is worth retrying only after a change is terminal. */
  private failed(ctx: StepContext, e: unknown): unknown {
    const { draft } = ctx;
    if (e instanceof ComposeStepError) {
      if (e.reason === 'ConfigInvalid') {
        draft.set('ConfigValid', 'False', 'ConfigInvalid', e.message);
      } else draft.set('ContainerRunning', 'False', e.reason, e.message);
      draft.set('Ready', 'False', e.reason, e.message);
      return e.terminal ? new TerminalError(e.message, { cause: e }) : e;
    }
    // A failed build has said so in ImageReady already.
    if (
      e instanceof ComposeCommandError &&
      !ctx.signal.aborted &&
      draft.condition('ImageReady')?.reason !== 'BuildFailed'
    ) {
      draft.set('ContainerRunning', 'False', 'ComposeFailed', e.message);
      draft.set('Ready', 'False', 'ComposeFailed', e.message);
    }
    return e;
  }
}

/** Compose's progress lines, in the environment's log. */
function composeLog(ctx: StepContext): (line: string) => void {
  return (line) => ctx.log(`compose | ${line}`);
}

/** Every name in devcontainer.json that the project must define does. */
function checkServices(resolved: ResolvedDevcontainer, compose: ResolvedCompose, open: OpenProject): void {
  const named = [
    { what: '"service"', names: [compose.service] },
    { what: '"runServices"', names: compose.runServices ?? [] },
    { what: '"forwardPorts"', names: compose.servicePorts.map((p) => p.service) },
  ];
  const problems = named.flatMap(({ what, names }) => {
    const unknown = unknownServices(open.model, names);
    return unknown.length ? [`${what} names ${unknown.map((n) => `"${n}"`).join(', ')}`] : [];
  });
  if (problems.length === 0) return;
  const defined = Object.keys(open.model.services).join(', ');
  throw new ComposeStepError(
    'ConfigInvalid',
    `${resolved.configFile}: ${problems.join('; ')}, which the Compose files do not define (they define ${defined})`,
    true,
  );
}

function serviceStatuses(observed: readonly ServiceObservation[], dev: string): ServiceStatus[] {
  return observed.map((o) => ({
    name: o.service,
    state: o.state,
    wanted: o.wanted,
    ...(o.service === dev ? { dev: true } : {}),
    ...(o.containerId ? { containerId: o.containerId } : {}),
    ...(o.containerName ? { containerName: o.containerName } : {}),
    ...(o.startedAt && o.state !== 'missing' ? { startedAt: o.startedAt } : {}),
    ...(o.exitCode !== undefined && o.state === 'exited' ? { exitCode: o.exitCode } : {}),
  }));
}

/** Notes about the Compose files (ports rebound to 127.0.0.1 …) beside the config step's own. */
function addSupportNotes(ctx: StepContext, notes: readonly string[]): void {
  if (notes.length === 0) return;
  const current = ctx.draft.condition('ConfigSupported');
  const before = current && current.status !== 'True' ? [current.message] : [];
  ctx.draft.set('ConfigSupported', 'False', 'UnsupportedProperties', [...before, ...notes].join('; '));
}
