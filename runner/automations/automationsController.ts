import { posix } from 'node:path';
import {
  ApiError,
  AUTOMATIONS_FILE,
  type AutomationsSpec,
  type AutomationStatus,
  type Environment,
  type EnvironmentStatus,
} from '../api';
import { readContainerFile } from '../providers/containerFile';
import { MAX_AUTOMATIONS_BYTES } from '../api/limits';
import type { EnvLogs } from '../logs/envLogs';
import type { ContainerProvider } from '../providers/provider';
import type { AutomationsMethod, HandlersFor } from '../server/handlers';
import type { ResourceStore } from '../store/resourceStore';
import type { StatusPartSink } from '../store/statusPatcher';
import { AutomationsError, loadAutomations } from './automationsFile';
import { automationsCondition } from './automationsCondition';
import type { AutomationSink, AutomationTarget } from './automationTarget';
import { EnvironmentAutomations } from './environmentAutomations';

export interface AutomationsDeps {
  store: ResourceStore;
  logs: EnvLogs;
  /** Where status.automations and AutomationsReady go. */
  status: StatusPartSink<'automations'>;
  providerFor(env: Environment): Promise<ContainerProvider | undefined>;
  /** remoteEnv, spec.env and secrets for commands run in the environment. */
  commandEnv(env: Environment): Promise<Record<string, string>>;
  log(msg: string): void;
}

type Loaded = { spec: AutomationsSpec } | { error: string } | { unavailable: true };

/** The automations file as read from one container start, and what it and the spec made. */
interface FileCache {
  /** Container id, StartedAt and the file's path. */
  key: string;
  fileText: string | undefined;
  /** JSON of spec.automations the result was made with. */
  inline?: string;
  loaded?: Exclude<Loaded, { unavailable: true }>;
}

/**
 * Automations for every environment: started when an environment becomes Ready (its ready hook),
 * applied again on later reconciles (a changed spec.automations) and API calls, stopped before
 * the container stops, and answered for through the automations.* API.
 *
 * automations.yaml is read from the container once per container start, and again on every
 * automations.* call (so an edited file is picked up by the next start, stop or run); the
 * reconciles in between (resyncs included) use what was read.
 */
export class AutomationsController {
  private readonly active = new Map<string, EnvironmentAutomations>();
  private readonly invalid = new Map<string, string>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly files = new Map<string, FileCache>();

  constructor(private readonly deps: AutomationsDeps) {}

  /** The environment is Ready in container `containerId` (status is the one being written). */
  ready(env: Environment, containerId: string, status: EnvironmentStatus): Promise<void> {
    return this.serial(env.metadata.name, () => this.sync(env, containerId, status));
  }

  /** One thing at a time per environment: two syncs must not both start its services. */
  private serial<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.chains.get(name) ?? Promise.resolve()).then(fn, fn);
    const settled = run.catch(() => {});
    this.chains.set(name, settled);
    void settled.then(() => this.chains.get(name) === settled && this.chains.delete(name));
    return run;
  }

  /** `reread`: read automations.yaml from the container even if it was read for this start. */
  private async sync(
    env: Environment,
    containerId: string,
    status: EnvironmentStatus,
    reread = false,
  ): Promise<void> {
    const name = env.metadata.name;
    const provider = await this.deps.providerFor(env);
    if (!provider || !status.startedAt) return;
    let current = this.active.get(name);
    if (current && (current.containerId !== containerId || current.startedAt !== status.startedAt)) {
      current.dispose();
      this.active.delete(name);
      current = undefined;
    }
    const loaded = await this.load(
      env,
      provider,
      containerId,
      status.startedAt,
      status.workspaceFolder ?? '/',
      reread,
    );
    if ('unavailable' in loaded) return;
    if ('error' in loaded) {
      if (this.invalid.get(name) !== loaded.error) {
        this.deps.logs.writer(name)(`Automations are invalid: ${loaded.error}`);
      }
      this.invalid.set(name, loaded.error);
      this.publish(name);
      return;
    }
    this.invalid.delete(name);
    const empty = !Object.keys(loaded.spec.services).length && !Object.keys(loaded.spec.tasks).length;
    if (!current) {
      if (empty && !status.automations.length) return this.publish(name);
      const target = this.target(env, provider, containerId, status);
      current = new EnvironmentAutomations(
        containerId,
        status.startedAt,
        target,
        this.sink(name),
        status.automations,
      );
      this.active.set(name, current);
      await current.begin(loaded.spec);
    } else if (current.appliedSpec !== loaded.spec) {
      // The same spec (the file was not read again, spec.automations unchanged) is applied already.
      await current.apply(loaded.spec);
    }
    this.publish(name);
  }

  /** Before the container stops or goes: stop commands run, services' processes end. */
  beforeStop(env: Environment, containerId: string): Promise<void> {
    return this.serial(env.metadata.name, () => this.stopAll(env, containerId));
  }

  private async stopAll(env: Environment, containerId: string): Promise<void> {
    const name = env.metadata.name;
    const current = this.active.get(name);
    if (!current || current.containerId !== containerId) return;
    const log = this.deps.logs.writer(name);
    log('Stopping automations');
    await Promise.race([
      current.stopAll(),
      new Promise((resolve) => setTimeout(resolve, 20_000).unref()),
    ]).catch((e: Error) => log(`Stopping automations failed: ${e.message}`));
  }

  /** The environment stopped (or was deleted): nothing runs any more. */
  stopped(env: Environment): Promise<void> {
    return this.serial(env.metadata.name, async () => this.forget(env));
  }

  private forget(env: Environment): void {
    const name = env.metadata.name;
    const current = this.active.get(name);
    const statuses =
      current?.statuses() ?? this.deps.store.get('Environment', name)?.status.automations ?? [];
    current?.dispose();
    this.active.delete(name);
    this.invalid.delete(name);
    this.files.delete(name);
    if (env.metadata.deletionTimestamp) return;
    const stopped = statuses.map((s): AutomationStatus =>
      s.kind === 'service' && s.phase !== 'Stopped'
        ? { ...s, phase: 'Stopped', message: 'the environment is stopped' }
        : s.kind === 'task' && s.phase === 'Running'
          ? { ...s, phase: 'Failed', message: 'the environment stopped while it ran' }
          : s,
    );
    this.deps.status.patch(name, {
      fields: { automations: stopped },
      conditions: {
        AutomationsReady: stopped.length
          ? {
              type: 'AutomationsReady',
              status: 'False',
              reason: 'Stopped',
              message: 'the environment is stopped',
            }
          : null,
      },
    });
  }

  /** The runner stops: leave services running in their containers, for the next runner to adopt. */
  close(): void {
    for (const a of this.active.values()) a.dispose();
    this.active.clear();
    this.files.clear();
  }

  handlers(): HandlersFor<AutomationsMethod> {
    return {
      'automations.start': async (p) => {
        const a = await this.mustBeRunning(p.name);
        if (a.has(p.id) === 'task') a.runTask(p.id);
        else a.startService(p.id);
        return { ok: true };
      },
      'automations.stop': async (p) => {
        const a = await this.mustBeRunning(p.name);
        if (a.has(p.id) === 'task') a.cancelTask(p.id);
        else await a.stopService(p.id);
        return { ok: true };
      },
      'automations.run': async (p) => {
        const a = await this.mustBeRunning(p.name);
        a.runTask(p.id);
        return { ok: true };
      },
    };
  }

  private async mustBeRunning(name: string): Promise<EnvironmentAutomations> {
    const env = this.deps.store.mustGet('Environment', name);
    if (env.status.phase !== 'Running' || !env.status.containerId) {
      throw new ApiError('Unavailable', `environment "${name}" is not running (phase ${env.status.phase})`);
    }
    // Look at the file again: it may have been edited since it was read.
    const status = structuredClone(env.status) as EnvironmentStatus;
    await this.serial(name, () => this.sync(env, env.status.containerId!, status, true));
    const invalid = this.invalid.get(name);
    if (invalid) throw new ApiError('Invalid', `the automations are invalid: ${invalid}`);
    const a = this.active.get(name);
    if (!a) throw new ApiError('NotFound', `environment "${name}" has no automations (${AUTOMATIONS_FILE})`);
    return a;
  }

  private async load(
    env: Environment,
    provider: ContainerProvider,
    containerId: string,
    startedAt: string,
    workspaceFolder: string,
    reread: boolean,
  ): Promise<Loaded> {
    const name = env.metadata.name;
    const path = posix.join(workspaceFolder, AUTOMATIONS_FILE);
    const key = `${containerId}\0${startedAt}\0${path}`;
    let cached = this.files.get(name);
    if (!cached || cached.key !== key || reread) {
      const read = await this.readFile(provider, containerId, path);
      if (!read) return { unavailable: true };
      cached = { key, fileText: read.fileText };
      this.files.set(name, cached);
    }
    const inline = JSON.stringify(env.spec.automations ?? null);
    if (!cached.loaded || cached.inline !== inline) {
      cached.inline = inline;
      cached.loaded = this.parse(env, cached.fileText);
    }
    return cached.loaded;
  }

  /** The file's text (undefined: there is none); undefined when the engine did not answer. */
  private async readFile(
    provider: ContainerProvider,
    containerId: string,
    path: string,
  ): Promise<{ fileText: string | undefined } | undefined> {
    let fileText: string | undefined;
    try {
      fileText = await readContainerFile(provider, containerId, path, MAX_AUTOMATIONS_BYTES);
      if (fileText !== undefined && !fileText.trim()) {
        // Caught mid-save (truncated, not yet written)? An empty file would stop every service.
        await new Promise((resolve) => setTimeout(resolve, 300));
        fileText = await readContainerFile(provider, containerId, path, MAX_AUTOMATIONS_BYTES);
      }
    } catch {
      // The engine did not answer: better keep what runs than act on a missing file.
      return undefined;
    }
    return { fileText };
  }

  private parse(env: Environment, fileText: string | undefined): Exclude<Loaded, { unavailable: true }> {
    try {
      return { spec: loadAutomations({ fileText, file: AUTOMATIONS_FILE, inline: env.spec.automations }) };
    } catch (e) {
      if (e instanceof AutomationsError) return { error: e.message };
      throw e;
    }
  }

  private target(
    env: Environment,
    provider: ContainerProvider,
    containerId: string,
    status: EnvironmentStatus,
  ): AutomationTarget {
    const name = env.metadata.name;
    return {
      provider,
      containerId,
      user: status.remoteUser ?? 'root',
      workdir: status.workspaceFolder ?? '/',
      env: () => this.deps.commandEnv(this.deps.store.get('Environment', name) ?? env),
    };
  }

  private sink(name: string): AutomationSink {
    return {
      log: (source, line) => void this.deps.logs.append(name, line, source).catch(() => {}),
      changed: () => this.publish(name),
      now: () => new Date(),
    };
  }

  private publish(name: string): void {
    const statuses = this.active.get(name)?.statuses() ?? [];
    const invalid = this.invalid.get(name);
    const condition = automationsCondition(statuses, invalid);
    this.deps.status.patch(name, {
      fields: { automations: statuses },
      conditions: { AutomationsReady: condition },
    });
  }
}
