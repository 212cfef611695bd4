import { rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { ENVIRONMENT_FINALIZER, type Environment, type EnvironmentStatus } from '../../api';
import {
  ConfigError,
  formatWarning,
  resolveDevcontainer,
  type ResolvedDevcontainer,
} from '../../devcontainer';
import type { EnvLogs } from '../../logs/envLogs';
import { buildInputsHash } from '../../providers/docker/buildContext';
import {
  LABELS,
  type ContainerObservation,
  type ContainerProvider,
  type ImageRequest,
} from '../../providers/provider';
import type { ResourceStore } from '../../store/resourceStore';
import type { ConditionInput } from '../conditions';
import { TerminalError, type ReconcileResult, type Reconciler } from '../controller';
import {
  buildContainerSpec,
  effectiveResources,
  environmentHash,
  legacyEnvironmentHash,
  remoteUserOf,
  stableHash,
  workspaceVolumeName,
  type ResourceDefaults,
  type WorkspaceSource,
} from './containerSpec';
import { configDrift, decideContainerAction } from './decide';
import { execOutput } from './execLines';
import { LifecycleError, runHook } from './lifecycle';
import { readMarkers, writeMarkers, type Markers } from './markers';
import { environmentProcessEnv } from './processEnv';
import { cloneDir, ensureSourceFolder, runOnHost } from './source';
import { addFinalizer, removeFinalizer } from '../finalizers';
import { removeBuiltImages } from './builtImages';
import { StatusDraft } from './statusDraft';
import { tarFolder } from './tarFolder';
import { TimedMemo } from './timedMemo';

/** How old a build-inputs hash may be when no container is being made from it (drift reporting). */
const BUILD_HASH_MAX_AGE_MS = 5 * 60_000;

/** Extension points for what runs alongside an environment (automations, ports, activity). */
export interface EnvironmentHooks {
  /** After the lifecycle commands, before Ready is reported: what must be in place to code (dotfiles). */
  prepare?(env: Environment, containerId: string, status: EnvironmentStatus): Promise<void>;
  /** After the environment became (or stayed) Ready and that was written. */
  ready?(
    env: Environment,
    containerId: string,
    resolved: ResolvedDevcontainer,
    status: EnvironmentStatus,
  ): Promise<void>;
  /** Before the container is stopped or removed. */
  beforeStop?(env: Environment, containerId: string): Promise<void>;
  /** After the environment was stopped or deleted. */
  stopped?(env: Environment): Promise<void>;
  /**
   * Lays the status parts other controllers own (automations, ports, activity) over every status
   * this reconciler writes, so a reconcile that started earlier never writes back stale ones.
   */
  overlayStatus?(env: Environment, status: EnvironmentStatus): void;
}

/** Where an environment runs, decided by the scheduler, with the conditions that explain it. */
export interface EnvironmentPlacement {
  host?: string;
  /** Undefined while it cannot run anywhere yet (unschedulable, its host unreachable). */
  provider?: ContainerProvider;
  conditions: ConditionInput[];
  waiting?: { reason: string; message: string; retryAfterMs: number };
}

export interface EnvironmentReconcilerDeps {
  store: ResourceStore;
  logs: EnvLogs;
  /** Where the environment runs; undefined while it cannot be placed (status says why). */
  providerFor(env: Environment): Promise<ContainerProvider | undefined> | ContainerProvider | undefined;
  /** Places the environment on a host (first time) and reports why; without it, providerFor decides. */
  place?(env: Environment): Promise<EnvironmentPlacement>;
  sourcesDir: string;
  runnerId: string;
  defaults?: ResourceDefaults;
  localEnv?: Record<string, string | undefined>;
  /** The secrets an environment's processes get (see environmentProcessEnv). */
  secrets?(env: Environment): Record<string, string>;
  hooks?: EnvironmentHooks;
  now?: () => Date;
  stopTimeoutSeconds?: number;
}

/** What sessions need to know about a running environment (gateway, exec API). */
export interface SessionTarget {
  provider: ContainerProvider;
  containerId: string;
  user: string;
  workspaceFolder: string;
  env: Record<string, string>;
}

const C = {
  Scheduled: 'Scheduled',
  ConfigValid: 'ConfigValid',
  ConfigSupported: 'ConfigSupported',
  UpToDate: 'UpToDate',
  ImageReady: 'ImageReady',
  WorkspaceReady: 'WorkspaceReady',
  ContainerRunning: 'ContainerRunning',
  LifecycleComplete: 'LifecycleComplete',
  Ready: 'Ready',
} as const;

const hookReason = (hook: string) => hook.charAt(0).toUpperCase() + hook.slice(1) + 'Failed';

/**
 * Makes the world match one Environment: source → config → image → workspace →
 * container → lifecycle, reporting each step as a condition. Every decision is
 * taken from what it observes now (labels on containers, markers inside them),
 * so a restarted runner picks up where things are without redoing them.
 */
export class EnvironmentReconciler implements Reconciler {
  private readonly markers = new Map<string, Markers>();
  /** Workspace volumes created by this runner and not filled yet (env uid). */
  private readonly freshVolumes = new Set<string>();
  private readonly resolvedCache = new Map<string, ResolvedDevcontainer>();
  /** Build-inputs hashes by environment uid: walking a large context on every resync is costly. */
  private readonly buildHashes = new TimedMemo<string>();
  private readonly now: () => Date;

  constructor(private readonly deps: EnvironmentReconcilerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** remoteEnv (as last resolved), spec.env and secrets: what commands run in the environment get. */
  commandEnv(env: Environment): Record<string, string> {
    return this.processEnv(env, this.resolvedCache.get(env.metadata.name));
  }

  async reconcile(name: string, signal: AbortSignal): Promise<ReconcileResult | void> {
    let env = this.deps.store.get('Environment', name);
    if (!env) return;
    if (env.metadata.deletionTimestamp) return this.finalize(env);
    const withFinalizer = await addFinalizer(this.deps.store, env, ENVIRONMENT_FINALIZER);
    if (!withFinalizer) return;
    env = withFinalizer;
    const draft = new StatusDraft(env, this.now);
    const log = this.deps.logs.writer(name);
    try {
      const result = await this.converge(env, draft, log, signal);
      draft.status.lastError = undefined;
      await this.write(env, draft, true);
      await Promise.all(draft.deferred);
      return result;
    } catch (e) {
      if (signal.aborted) {
        await this.write(env, draft, false);
        return { requeueAfterMs: 0 };
      }
      draft.status.lastError = (e as Error).message;
      await this.write(env, draft, e instanceof TerminalError);
      throw e;
    }
  }

  onError(key: string, error: unknown, retryInMs: number | undefined): void {
    const msg = (error as Error)?.message ?? String(error);
    this.deps.logs.writer(key)(
      `Error: ${msg}${retryInMs !== undefined ? ` (retrying in ${Math.round(retryInMs / 100) / 10}s)` : ''}`,
    );
  }

  private async write(env: Environment, draft: StatusDraft, observed: boolean): Promise<void> {
    const status = this.statusToWrite(env, draft, observed);
    if (status) await this.deps.store.updateStatus('Environment', env.metadata.name, status);
  }

  /** The status to store now (a copy: the draft goes on changing), or undefined when there is none to write. */
  private statusToWrite(
    env: Environment,
    draft: StatusDraft,
    observed: boolean,
  ): EnvironmentStatus | undefined {
    const current = this.deps.store.get('Environment', env.metadata.name);
    if (!current || current.metadata.uid !== env.metadata.uid) return undefined;
    this.deps.hooks?.overlayStatus?.(env, draft.status);
    draft.finish(observed);
    if (!draft.changedFrom(current.status)) return undefined;
    return structuredClone(draft.status);
  }

  /**
   * Shows progress while a long step runs. The step does not wait for it: the store keeps writes in
   * order, and the write that ends the reconcile is waited for.
   */
  private progress(env: Environment, draft: StatusDraft): void {
    const status = this.statusToWrite(env, draft, false);
    // A failed progress write (the object went, the store closed) is superseded by the next
    // write, and a store that cannot write fails that one too.
    if (status) this.deps.store.updateStatus('Environment', env.metadata.name, status).catch(() => {});
  }

  private async converge(
    env: Environment,
    draft: StatusDraft,
    log: (line: string) => void,
    signal: AbortSignal,
  ): Promise<ReconcileResult | void> {
    const placement = this.deps.place ? await this.deps.place(env) : undefined;
    for (const c of placement?.conditions ?? []) draft.set(c.type, c.status, c.reason, c.message);
    const provider = placement ? placement.provider : await this.deps.providerFor(env);
    draft.status.host = placement?.host ?? provider?.name;
    if (!provider) {
      const w = placement?.waiting ?? {
        reason: 'Unschedulable',
        message: 'no host to run on yet',
        retryAfterMs: 5000,
      };
      draft.set(C.Ready, 'False', w.reason, w.message);
      return { requeueAfterMs: w.retryAfterMs };
    }
    // Asked for while the configuration is read (both only read); an engine that cannot answer is
    // reported by info() below, before this is awaited.
    const finding = provider.findContainers({
      [LABELS.runner]: this.deps.runnerId,
      [LABELS.uid]: env.metadata.uid,
    });
    finding.catch(() => {});
    const resolved = await this.resolve(env, draft, log, signal);
    let info;
    try {
      info = await provider.info();
      draft.set('HostReachable', 'True', 'Reachable', `Docker ${info.serverVersion} on ${provider.name}`);
    } catch (e) {
      draft.set('HostReachable', 'False', 'EngineUnreachable', (e as Error).message);
      draft.set(C.Ready, 'False', 'EngineUnreachable', (e as Error).message);
      throw e;
    }
    const resources = effectiveResources(env, resolved, info, this.deps.defaults);
    this.reportSupport(draft, resolved, resources.warnings);
    const envHash = environmentHash(env);
    const legacyEnvHash = legacyEnvironmentHash(env, resources);
    const observed = await this.pickContainer(provider, await finding, log);
    const restartRequested =
      env.spec.restart !== undefined && env.spec.restart !== draft.status.restartHandled;
    const action = decideContainerAction({
      desired: env.spec.state,
      observed,
      envHash,
      legacyEnvHash,
      restartRequested,
    });

    if (env.spec.state === 'Stopped') {
      if (action.type === 'stop' && observed) {
        draft.set(C.ContainerRunning, 'True', 'Stopping', 'stopping the container');
        draft.set(C.Ready, 'False', 'Stopping', 'the environment is stopping');
        this.progress(env, draft);
        log('Stopping the container');
        await this.deps.hooks
          ?.beforeStop?.(env, observed.id)
          .catch((e) => log(`Stopping automations failed: ${e}`));
        await provider.stopContainer(observed.id, this.deps.stopTimeoutSeconds ?? 10);
        log('Stopped');
      }
      draft.set(
        C.ContainerRunning,
        'False',
        'Stopped',
        observed ? 'the container is stopped' : 'no container yet',
      );
      draft.set(C.Ready, 'False', 'Stopped', 'the environment is stopped');
      if (restartRequested) draft.status.restartHandled = env.spec.restart;
      draft.status.startedAt = undefined;
      await this.deps.hooks?.stopped?.(env);
      return;
    }

    if (action.type !== 'none' && action.type !== 'stop') {
      // Whatever lifecycle state was reported belongs to the old container or start.
      draft.set(C.LifecycleComplete, 'False', 'Waiting', 'waiting for the container to start');
    }
    // A new container is labelled with what it is made from now (build inputs hashed afresh);
    // otherwise only drift reporting reads this, and a hash up to BUILD_HASH_MAX_AGE_MS old will do.
    const makesContainer = action.type === 'create' || action.type === 'recreate';
    const inputs = await this.inputHashes(env, resolved, makesContainer ? 0 : BUILD_HASH_MAX_AGE_MS);
    let containerId = observed?.id;
    const folder = resolved.configFolder && env.spec.source.folder ? env.spec.source.folder : undefined;
    const sourceFolder = folder ?? cloneDir(env, this.deps.sourcesDir);
    switch (action.type) {
      case 'create':
      case 'recreate': {
        const image = await this.ensureImage(env, resolved, inputs.build, provider, draft, log, signal);
        const workspace = await this.ensureWorkspace(env, provider, draft);
        await this.initialize(resolved, sourceFolder, draft, log, signal);
        const spec = buildContainerSpec({
          env,
          resolved,
          imageRef: image.ref,
          imageUser: image.user,
          workspace,
          resources,
          configHash: inputs.config,
          runnerId: this.deps.runnerId,
        });
        draft.set(C.ContainerRunning, 'False', 'Creating', action.reason);
        draft.set(C.Ready, 'False', 'Creating', 'creating the container');
        this.progress(env, draft);
        if (action.type === 'recreate' && observed) {
          log(`Recreating the container: ${action.reason}`);
          await this.deps.hooks?.beforeStop?.(env, observed.id).catch(() => {});
          await provider.removeContainer(observed.id);
          this.markers.delete(observed.id);
        }
        log(`Creating container ${spec.name} from ${image.ref}`);
        containerId = await provider.createContainer(spec);
        // A new container has no markers: no need to look.
        this.markers.set(containerId, {});
        await provider.startContainer(containerId);
        break;
      }
      case 'start':
        log(`Starting the container: ${action.reason}`);
        draft.set(C.ContainerRunning, 'False', 'Starting', action.reason);
        this.progress(env, draft);
        await this.initialize(resolved, sourceFolder, draft, log, signal);
        await provider.startContainer(containerId!);
        break;
      case 'unpause':
        log(`Unpausing the container: ${action.reason}`);
        await provider.unpauseContainer(containerId!);
        break;
      case 'restart':
        log('Restarting the container');
        draft.set(C.ContainerRunning, 'False', 'Starting', action.reason);
        this.progress(env, draft);
        await this.deps.hooks?.beforeStop?.(env, containerId!).catch(() => {});
        await provider.stopContainer(containerId!, this.deps.stopTimeoutSeconds ?? 10);
        await this.initialize(resolved, sourceFolder, draft, log, signal);
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
      draft.set(C.ContainerRunning, 'False', 'Exited', `the container stopped right after starting: ${why}`);
      throw new Error(`the container stopped right after starting: ${why}`);
    }
    if (!draft.status.conditions.some((c) => c.type === C.ImageReady && c.status === 'True')) {
      draft.set(C.ImageReady, 'True', 'Present', 'the container exists');
    }
    if (!draft.status.conditions.some((c) => c.type === C.WorkspaceReady && c.status === 'True')) {
      draft.set(
        C.WorkspaceReady,
        'True',
        env.spec.source.git || provider.remote ? 'Volume' : 'BindMounted',
        'the container exists',
      );
    }
    draft.set(C.ContainerRunning, 'True', 'Running', `running since ${container.startedAt}`);
    if (configDrift(container, inputs.config)) {
      draft.set(
        C.UpToDate,
        'False',
        'ConfigChanged',
        `${basename(resolved.configFile)} or its build inputs changed since the container was created; rebuild to apply`,
      );
    } else {
      draft.set(C.UpToDate, 'True', 'InSync', 'the container matches the configuration');
    }
    draft.status.containerId = container.id;
    draft.status.containerName = container.name;
    draft.status.startedAt = container.startedAt;
    draft.status.workspaceFolder = container.labels[LABELS.workspaceFolder] ?? resolved.workspaceFolder;
    draft.status.remoteUser = container.labels[LABELS.remoteUser] ?? remoteUserOf(resolved, '');
    draft.status.image = resolved.image ?? draft.status.image;

    await this.populateVolume(env, provider, container, draft, log);
    await this.lifecycle(env, provider, container, resolved, draft, log, signal);

    await this.deps.hooks?.prepare?.(env, container.id, draft.status);
    draft.set(C.Ready, 'True', 'Ready', 'the environment is ready');
    // Ready is what `up` and the editor wait for: say so before the add-ons that follow it
    // (automations, ports, activity) run; they report their own progress in their own status.
    await this.write(env, draft, true);
    await this.deps.hooks?.ready?.(env, container.id, resolved, draft.status);
    return;
  }

  private async resolve(
    env: Environment,
    draft: StatusDraft,
    log: (line: string) => void,
    signal: AbortSignal,
  ): Promise<ResolvedDevcontainer> {
    let folder: string;
    try {
      ({ folder } = await ensureSourceFolder(env, this.deps.sourcesDir, log, signal));
    } catch (e) {
      const terminal = e instanceof TerminalError;
      draft.set(C.ConfigValid, 'False', terminal ? 'SourceNotFound' : 'CloneFailed', (e as Error).message);
      draft.set(C.Ready, 'False', terminal ? 'SourceNotFound' : 'CloneFailed', (e as Error).message);
      throw e;
    }
    try {
      const resolved = await resolveDevcontainer({
        folder,
        configPath: env.spec.devcontainer?.path,
        inlineConfig: env.spec.devcontainer?.config,
        localEnv: this.deps.localEnv ?? process.env,
        devcontainerId: stableHash(env.metadata.uid),
        allowPrivileged: env.spec.allowPrivileged,
      });
      draft.set(C.ConfigValid, 'True', 'Valid', `using ${resolved.configFile}`);
      draft.status.configFile = resolved.configFile;
      this.resolvedCache.set(env.metadata.name, resolved);
      return resolved;
    } catch (e) {
      if (e instanceof ConfigError) {
        const reason = e.code === 'NotFound' ? 'ConfigNotFound' : 'ConfigInvalid';
        draft.set(C.ConfigValid, 'False', reason, e.message);
        draft.set(C.Ready, 'False', reason, e.message);
        throw new TerminalError(e.message, { cause: e });
      }
      throw e;
    }
  }

  private reportSupport(draft: StatusDraft, resolved: ResolvedDevcontainer, extra: string[]): void {
    const notes = [
      ...resolved.warnings.map(formatWarning),
      ...resolved.runArgs.warnings,
      ...resolved.runArgs.refused,
      ...extra,
    ];
    if (notes.length === 0)
      draft.set(C.ConfigSupported, 'True', 'Supported', 'every property in use is supported');
    else draft.set(C.ConfigSupported, 'False', 'UnsupportedProperties', notes.join('; '));
  }

  /**
   * The hash of the build inputs (walks and hashes the whole build context: reused while younger
   * than `maxAgeMs`) and of the resolved config with them (what UpToDate compares).
   */
  private async inputHashes(
    env: Environment,
    resolved: ResolvedDevcontainer,
    maxAgeMs: number,
  ): Promise<{ config: string; build?: string }> {
    const { warnings: _w, ...rest } = resolved;
    const b = resolved.build;
    const build = b
      ? await this.buildHashes.get(env.metadata.uid, stableHash(b), maxAgeMs, () => buildInputsHash(b))
      : undefined;
    return { config: stableHash({ config: rest, build }), build };
  }

  private async ensureImage(
    env: Environment,
    resolved: ResolvedDevcontainer,
    buildHash: string | undefined,
    provider: ContainerProvider,
    draft: StatusDraft,
    log: (line: string) => void,
    signal: AbortSignal,
  ) {
    let req: ImageRequest;
    if (resolved.build) {
      const hash = buildHash ?? (await buildInputsHash(resolved.build));
      const tag = `devrig/${env.metadata.name}:${stableHash({ hash, rebuild: env.spec.rebuild })}`;
      req = {
        kind: 'build',
        tag,
        context: resolved.build.context,
        dockerfile: resolved.build.dockerfile,
        args: resolved.build.args,
        target: resolved.build.target,
        noCache: env.spec.rebuild !== undefined,
        labels: {
          [LABELS.managed]: 'true',
          [LABELS.runner]: this.deps.runnerId,
          [LABELS.environment]: env.metadata.name,
        },
      };
      draft.set(C.ImageReady, 'False', 'Building', `building ${basename(resolved.build.dockerfile)}`);
    } else {
      req = { kind: 'image', ref: resolved.image! };
      draft.set(C.ImageReady, 'False', 'Pulling', `looking for ${resolved.image}`);
    }
    draft.set(C.Ready, 'False', 'Building', 'preparing the image');
    this.progress(env, draft);
    try {
      const image = await provider.ensureImage(
        req,
        this.deps.logs.writer(env.metadata.name, 'image'),
        signal,
      );
      const verb = { present: 'Present', pulled: 'Pulled', built: 'Built' }[image.action];
      draft.set(
        C.ImageReady,
        'True',
        verb,
        `${image.ref} (${image.id.replace(/^sha256:/, '').slice(0, 12)})`,
      );
      draft.status.image = image.ref;
      if (image.action !== 'present') log(`Image ${image.ref} ${image.action}`);
      return image;
    } catch (e) {
      const reason = req.kind === 'build' ? 'BuildFailed' : 'PullFailed';
      draft.set(C.ImageReady, 'False', reason, (e as Error).message);
      draft.set(C.Ready, 'False', reason, (e as Error).message);
      throw e;
    }
  }

  private async ensureWorkspace(
    env: Environment,
    provider: ContainerProvider,
    draft: StatusDraft,
  ): Promise<WorkspaceSource> {
    if (env.spec.source.folder && !provider.remote) {
      draft.set(C.WorkspaceReady, 'True', 'BindMounted', `${env.spec.source.folder} is mounted`);
      return { type: 'bind', folder: env.spec.source.folder };
    }
    // A remote host cannot see this machine's folders: a folder source is uploaded into the volume.
    const volume = workspaceVolumeName(env);
    const created = await provider.ensureVolume(volume, {
      [LABELS.managed]: 'true',
      [LABELS.runner]: this.deps.runnerId,
      [LABELS.environment]: env.metadata.name,
      [LABELS.uid]: env.metadata.uid,
      [LABELS.kind]: 'workspace',
    });
    if (created) this.freshVolumes.add(env.metadata.uid);
    draft.set(C.WorkspaceReady, 'True', 'Volume', `workspace volume ${volume}`);
    return { type: 'volume', volume };
  }

  /** initializeCommand runs on the runner's machine before every create and start. */
  private async initialize(
    resolved: ResolvedDevcontainer,
    folder: string,
    draft: StatusDraft,
    log: (line: string) => void,
    signal: AbortSignal,
  ): Promise<void> {
    for (const c of resolved.lifecycle.initializeCommand) {
      log('Running initializeCommand on this machine');
      const code = await runOnHost(c, folder, (l) => log(`initializeCommand | ${l}`), signal);
      if (code !== 0) {
        const msg = `initializeCommand failed with exit code ${code}`;
        draft.set(C.LifecycleComplete, 'False', 'InitializeCommandFailed', msg);
        draft.set(C.Ready, 'False', 'InitializeCommandFailed', msg);
        throw new Error(msg);
      }
    }
  }

  /**
   * A git source's volume is filled from the runner's clone once; on a remote host a folder
   * source's volume from the folder, once (later edits on either side are not synced).
   */
  private async populateVolume(
    env: Environment,
    provider: ContainerProvider,
    container: ContainerObservation,
    draft: StatusDraft,
    log: (line: string) => void,
  ): Promise<void> {
    const folder = env.spec.source.folder;
    if (!env.spec.source.git && !(folder && provider.remote)) return;
    const markers = await this.readMarkers(provider, container.id);
    if (markers.workspace) return;
    const target = draft.status.workspaceFolder!;
    const user = draft.status.remoteUser ?? 'root';
    // A recreated container finds the volume already filled: never overwrite work done on the host.
    const empty = ['/bin/sh', '-c', '[ -z "$(ls -A "$1" 2>/dev/null)" ]', 'sh', target];
    const fresh = this.freshVolumes.delete(env.metadata.uid);
    if (folder && !fresh && (await execOutput(provider, container.id, empty)).code !== 0) {
      markers.workspace = 'done';
      await writeMarkers(provider, container.id, markers);
      return;
    }
    log(
      folder
        ? `Uploading ${folder} into ${target} on host ${provider.name} (once: later edits are not synced back or forth)`
        : `Copying the repository into ${target}`,
    );
    await provider.putArchive(
      container.id,
      dirname(target),
      tarFolder(folder ?? cloneDir(env, this.deps.sourcesDir), basename(target)),
    );
    await execOutput(provider, container.id, ['chown', '-R', `${user}:`, target]);
    markers.workspace = 'done';
    await writeMarkers(provider, container.id, markers);
  }

  private async readMarkers(provider: ContainerProvider, id: string): Promise<Markers> {
    let m = this.markers.get(id);
    if (!m) {
      m = await readMarkers(provider, id);
      this.markers.set(id, m);
    }
    return m;
  }

  /**
   * onCreate/updateContent/postCreate once per container; postStart once per start
   * (its marker holds the container's StartedAt). A failed hook is recorded the same
   * way, so it is not rerun until the container is restarted or recreated.
   */
  private async lifecycle(
    env: Environment,
    provider: ContainerProvider,
    container: ContainerObservation,
    resolved: ResolvedDevcontainer,
    draft: StatusDraft,
    log: (line: string) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const markers = await this.readMarkers(provider, container.id);
    const failed = markers.failed?.split(' ');
    if (failed && failed[0] === container.startedAt) {
      throw new TerminalError(
        draft.status.conditions.find((c) => c.type === C.LifecycleComplete)?.message ?? `${failed[1]} failed`,
      );
    }
    const created = markers.created === 'done';
    const started = markers.postStart === container.startedAt;
    if (created && started) {
      draft.set(C.LifecycleComplete, 'True', 'Completed', 'lifecycle commands have run');
      return;
    }
    const run = {
      user: draft.status.remoteUser ?? 'root',
      workdir: draft.status.workspaceFolder ?? resolved.workspaceFolder,
      env: this.processEnv(env, resolved),
      log,
      signal,
    };
    const hooks = [
      ...(created ? [] : (['onCreateCommand', 'updateContentCommand', 'postCreateCommand'] as const)),
      'postStartCommand' as const,
    ];
    for (const hook of hooks) {
      if (resolved.lifecycle[hook].length === 0) continue;
      draft.set(C.LifecycleComplete, 'False', 'Running', `running ${hook}`);
      draft.set(C.Ready, 'False', 'Running', `running ${hook}`);
      this.progress(env, draft);
      try {
        await runHook(provider, container.id, hook, resolved.lifecycle[hook], run);
      } catch (e) {
        if (signal.aborted) throw e;
        const msg = (e as Error).message;
        draft.set(C.LifecycleComplete, 'False', hookReason(hook), msg);
        draft.set(C.Ready, 'False', hookReason(hook), msg);
        if (e instanceof LifecycleError) {
          markers.failed = `${container.startedAt} ${hook}`;
          await writeMarkers(provider, container.id, markers);
          throw new TerminalError(msg, { cause: e });
        }
        throw e;
      }
    }
    markers.created = 'done';
    markers.postStart = container.startedAt;
    // Written alongside the Ready status rather than before it: a crash in between
    // only means postStart runs once more (at least once, never skipped).
    draft.deferred.push(
      writeMarkers(provider, container.id, markers).catch((e) => {
        this.markers.delete(container.id);
        throw e;
      }),
    );
    draft.set(C.LifecycleComplete, 'True', 'Completed', 'lifecycle commands have run');
  }

  /** Deletion: containers, then devrig-owned volumes and clones, then the finalizer. */
  private async finalize(env: Environment): Promise<void> {
    const name = env.metadata.name;
    const log = this.deps.logs.writer(name);
    const draft = new StatusDraft(env, this.now);
    draft.set(C.Ready, 'False', 'Deleting', 'removing the container and workspace volume');
    await this.write(env, draft, false);
    const provider = await this.deps.providerFor(env);
    if (provider) {
      for (const c of await provider.findContainers({
        [LABELS.runner]: this.deps.runnerId,
        [LABELS.uid]: env.metadata.uid,
      })) {
        log(`Removing container ${c.name}`);
        if (c.running) await this.deps.hooks?.beforeStop?.(env, c.id).catch(() => {});
        await provider.removeContainer(c.id);
        this.markers.delete(c.id);
      }
      for (const v of await provider.listVolumes({
        [LABELS.runner]: this.deps.runnerId,
        [LABELS.uid]: env.metadata.uid,
      })) {
        log(`Removing volume ${v}`);
        await provider.removeVolume(v);
      }
      await removeBuiltImages({ env, provider, store: this.deps.store, runnerId: this.deps.runnerId, log });
    }
    await rm(cloneDir(env, this.deps.sourcesDir), { recursive: true, force: true });
    await this.deps.hooks?.stopped?.(env);
    this.resolvedCache.delete(name);
    this.buildHashes.forget(env.metadata.uid);
    await removeFinalizer(this.deps.store, env, ENVIRONMENT_FINALIZER);
    await this.deps.logs.remove(name);
  }

  private async pickContainer(
    provider: ContainerProvider,
    found: ContainerObservation[],
    log: (line: string) => void,
  ): Promise<ContainerObservation | undefined> {
    if (found.length <= 1) return found[0];
    // More than one (a crash between create and remove): keep the newest, remove the rest.
    const sorted = [...found].sort((a, b) => (a.startedAt < b.startedAt ? 1 : -1));
    for (const extra of sorted.slice(1)) {
      log(`Removing a duplicate container ${extra.name}`);
      await provider.removeContainer(extra.id);
    }
    return sorted[0];
  }

  /**
   * postAttachCommand: run each time a tool attaches (an interactive SSH shell, a VS Code
   * terminal or window), as the remote user in the workspace; output goes to the log.
   */
  async postAttach(env: Environment): Promise<void> {
    const commands = this.resolvedCache.get(env.metadata.name)?.lifecycle.postAttachCommand ?? [];
    if (commands.length === 0) return;
    const target = await this.sessionTarget(env);
    if (!target) return;
    await runHook(target.provider, target.containerId, 'postAttachCommand', commands, {
      user: target.user,
      workdir: target.workspaceFolder,
      env: target.env,
      log: this.deps.logs.writer(env.metadata.name),
    });
  }

  private processEnv(env: Environment, resolved: ResolvedDevcontainer | undefined): Record<string, string> {
    return environmentProcessEnv(resolved?.remoteEnv, env, this.deps.secrets?.(env));
  }

  /** Where sessions for a Ready environment go, with the user, folder and env they get. */
  async sessionTarget(env: Environment): Promise<SessionTarget | undefined> {
    const provider = await this.deps.providerFor(env);
    const id = env.status.containerId;
    if (!provider || !id) return undefined;
    const resolved = this.resolvedCache.get(env.metadata.name);
    return {
      provider,
      containerId: id,
      user: env.status.remoteUser ?? 'root',
      workspaceFolder: env.status.workspaceFolder ?? '/',
      env: this.processEnv(env, resolved),
    };
  }
}
