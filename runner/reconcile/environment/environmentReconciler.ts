import { rm } from 'node:fs/promises';
import { ENVIRONMENT_FINALIZER, type Environment, type EnvironmentStatus } from '../../api';
import type { ResolvedDevcontainer } from '../../devcontainer';
import type { EnvLogs } from '../../logs/envLogs';
import type { ContainerProvider } from '../../providers/provider';
import type { ResourceStore } from '../../store/resourceStore';
import { TerminalError, type ReconcileResult, type Reconciler } from '../controller';
import { addFinalizer, removeFinalizer } from '../finalizers';
import { effectiveResources, type ResourceDefaults } from './containerSpec';
import { NO_HOOKS, type EnvironmentHooks } from './hooks';
import { InputHashes, type BuildInputsHasher } from './inputHashes';
import { MarkerCache } from './markers';
import { EnvironmentSessions } from './sessions';
import { checkConsent, hostContextFor, reportConsent } from './consent';
import { removeBuiltImages } from './builtImages';
import { cloneDir } from './source';
import { StatusDraft } from './statusDraft';
import { configStep, supportStep, type ResolvedConfigs } from './steps/configStep';
import { ownedBy, type ContainerStep } from './steps/containerStep';
import { dotfilesStep } from './steps/dotfilesStep';
import { dockerfileImageStep, type ImageStep } from './steps/imageStep';
import { initializeStep } from './steps/initializeStep';
import { lifecycleStep } from './steps/lifecycleStep';
import { engineStep, placementStep, type PlacementDeps } from './steps/placementStep';
import { readyStep } from './steps/readyStep';
import { SingleContainerStep } from './steps/singleContainerStep';
import { sourceStep } from './steps/sourceStep';
import type { StepContext } from './steps/stepContext';
import { WorkspaceStep } from './steps/workspaceStep';

export interface EnvironmentReconcilerDeps extends PlacementDeps {
  store: ResourceStore;
  logs: EnvLogs;
  sourcesDir: string;
  /** The runner's state folder: no configuration may mount it. */
  stateDir?: string;
  runnerId: string;
  /** Hashes a Dockerfile build's inputs (the engine's build context rules: .dockerignore). */
  hashBuildInputs: BuildInputsHasher;
  defaults?: ResourceDefaults;
  localEnv?: Record<string, string | undefined>;
  /** The secrets an environment's processes get (see environmentProcessEnv). */
  secrets?(env: Environment): Record<string, string>;
  /** What the add-ons do at points of an environment's life (composed by the runner). */
  hooks?: EnvironmentHooks;
  now?: () => Date;
  stopTimeoutSeconds?: number;
  /** Where the resolved configurations are kept for the session lookups (shared with the runner's). */
  configs?: ResolvedConfigs;
  /** Other image or container steps (Features, Compose; fakes in tests). */
  steps?: { image?: ImageStep; container?: ContainerStep };
}

/**
 * Makes the world match one Environment by running named steps in order: placement → source →
 * config → image → workspace → container(s) → lifecycle → dotfiles → ready, each reporting through
 * its own condition (steps/). Every decision is taken from what it observes now (labels on
 * containers, markers inside them), so a restarted runner picks up where things are without
 * redoing them. Steps reach engines only through the ContainerProvider interface.
 */
export class EnvironmentReconciler implements Reconciler {
  readonly sessions: EnvironmentSessions;
  private readonly configs: ResolvedConfigs;
  private readonly markers = new MarkerCache();
  private readonly hashes: InputHashes;
  private readonly hooks: EnvironmentHooks;
  private readonly image: ImageStep;
  private readonly workspace: WorkspaceStep;
  private readonly container: ContainerStep;
  private readonly now: () => Date;

  constructor(private readonly deps: EnvironmentReconcilerDeps) {
    this.now = deps.now ?? (() => new Date());
    this.hooks = deps.hooks ?? NO_HOOKS;
    this.configs = deps.configs ?? new Map<string, ResolvedDevcontainer>();
    this.hashes = new InputHashes(deps.hashBuildInputs);
    this.sessions = new EnvironmentSessions({
      providerFor: deps.providerFor,
      configs: this.configs,
      secrets: deps.secrets,
      logs: deps.logs,
    });
    this.image = deps.steps?.image ?? dockerfileImageStep({ logs: deps.logs, runnerId: deps.runnerId });
    this.workspace = new WorkspaceStep({
      runnerId: deps.runnerId,
      sourcesDir: deps.sourcesDir,
      markers: this.markers,
    });
    this.container =
      deps.steps?.container ??
      new SingleContainerStep({
        runnerId: deps.runnerId,
        hooks: this.hooks,
        markers: this.markers,
        stopTimeoutSeconds: deps.stopTimeoutSeconds ?? 10,
      });
  }

  async reconcile(name: string, signal: AbortSignal): Promise<ReconcileResult | void> {
    let env = this.deps.store.get('Environment', name);
    if (!env) return;
    if (env.metadata.deletionTimestamp) return this.finalize(env);
    const withFinalizer = await addFinalizer(this.deps.store, env, ENVIRONMENT_FINALIZER);
    if (!withFinalizer) return;
    env = withFinalizer;
    const ctx = this.context(env, signal);
    try {
      const result = await this.converge(ctx);
      ctx.draft.status.lastError = undefined;
      await this.write(ctx, true);
      await Promise.all(ctx.draft.deferred);
      return result;
    } catch (e) {
      if (signal.aborted) {
        await this.write(ctx, false);
        return { requeueAfterMs: 0 };
      }
      ctx.draft.status.lastError = (e as Error).message;
      await this.write(ctx, e instanceof TerminalError);
      throw e;
    }
  }

  onError(key: string, error: unknown, retryInMs: number | undefined): void {
    const msg = (error as Error)?.message ?? String(error);
    this.deps.logs.writer(key)(
      `Error: ${msg}${retryInMs !== undefined ? ` (retrying in ${Math.round(retryInMs / 100) / 10}s)` : ''}`,
    );
  }

  private context(env: Environment, signal: AbortSignal): StepContext {
    const ctx: StepContext = {
      env,
      draft: new StatusDraft(env, this.now),
      log: this.deps.logs.writer(env.metadata.name),
      signal,
      // A failed progress write (the object went, the store closed) is superseded by the next
      // write, and a store that cannot write fails that one too.
      progress: () => void this.write(ctx, false).catch(() => {}),
    };
    return ctx;
  }

  /**
   * Stores the reconciler's part of the status (only if it is still the same object). Progress
   * writes are not waited for: the store keeps writes in order, and the write that ends the
   * reconcile is waited for.
   */
  private async write(ctx: StepContext, observed: boolean): Promise<EnvironmentStatus | undefined> {
    const stored = await this.deps.store.patchEnvironmentStatus(
      ctx.env.metadata.name,
      'reconciler',
      ctx.draft.patch(observed),
      { uid: ctx.env.metadata.uid },
    );
    return stored?.status;
  }

  private async converge(ctx: StepContext): Promise<ReconcileResult | void> {
    const { env } = ctx;
    const placed = await placementStep(ctx, this.deps);
    if ('waiting' in placed) return placed.waiting;
    const { provider } = placed;
    // Asked for while the configuration is read (both only read); an engine that cannot answer is
    // reported by the engine step below, before this is awaited.
    const finding = provider.findContainers(ownedBy(this.deps.runnerId, env));
    finding.catch(() => {});
    const source = await sourceStep(ctx, this.deps.sourcesDir);
    const resolved = await configStep(ctx, { localEnv: this.deps.localEnv, configs: this.configs }, source);
    const info = await engineStep(ctx, provider);
    const resources = effectiveResources(env, resolved, info, this.deps.defaults);
    supportStep(ctx, resolved, resources.warnings);
    const consent = checkConsent(
      env,
      resolved,
      hostContextFor(env, {
        stateDir: this.deps.stateDir,
        sourcesDir: this.deps.sourcesDir,
        remote: provider.remote === true,
        hostMemoryBytes: info.memoryBytes,
      }),
    );
    const found = await finding;

    if (env.spec.state === 'Stopped') {
      reportConsent(ctx.draft, env, consent, { type: 'none' });
      await this.container.stop(ctx, { provider, found });
      await this.hooks.stopped(env);
      return;
    }
    const { container, config } = await this.container.run(ctx, {
      provider,
      resolved,
      resources,
      found,
      hashes: (fresh) => this.hashes.of(env, resolved, fresh ? 0 : BUILD_HASH_MAX_AGE_MS),
      prepare: async (hashes) => {
        const image = await this.image(ctx, { provider, resolved, buildHash: hashes.build });
        const workspace = await this.workspace.ensure(ctx, provider);
        return { image, workspace };
      },
      authorize: (action) => reportConsent(ctx.draft, env, consent, action),
      initialize: () => initializeStep(ctx, resolved, source.folder, consent),
    });
    this.workspace.adopted(ctx, provider);
    await this.workspace.populate(ctx, provider, container);
    await lifecycleStep(ctx, this.markers, {
      provider,
      container,
      config,
      processEnv: this.sessions.commandEnv(env),
    });
    await dotfilesStep(ctx, this.hooks, container);
    await readyStep(ctx, this.hooks, { container, config, write: () => this.write(ctx, true) });
  }

  /** Deletion: containers, then devrig-owned volumes and clones, then the finalizer. */
  private async finalize(env: Environment): Promise<void> {
    const name = env.metadata.name;
    const ctx = this.context(env, new AbortController().signal);
    ctx.draft.set('Ready', 'False', 'Deleting', 'removing the container and workspace volume');
    await this.write(ctx, false);
    const provider: ContainerProvider | undefined = await this.deps.providerFor(env);
    if (provider) {
      await this.container.remove(ctx, provider);
      await this.workspace.remove(env, provider, ctx.log);
      await removeBuiltImages({
        env,
        provider,
        store: this.deps.store,
        runnerId: this.deps.runnerId,
        log: ctx.log,
      });
    }
    await rm(cloneDir(env, this.deps.sourcesDir), { recursive: true, force: true });
    await this.hooks.stopped(env);
    this.configs.delete(name);
    this.hashes.forget(env);
    await removeFinalizer(this.deps.store, env, ENVIRONMENT_FINALIZER);
    await this.deps.logs.remove(name);
  }
}

/** How old a build-inputs hash may be when no container is being made from it (drift reporting). */
const BUILD_HASH_MAX_AGE_MS = 5 * 60_000;
