import { isDeepStrictEqual } from 'node:util';
import { isAgentEnvironment, type Environment } from './api';
import { EnvLogs } from './logs/envLogs';
import { DockerProvider } from './providers/docker/dockerProvider';
import type { ContainerProvider } from './providers/provider';
import { LABELS } from './providers/provider';
import { Controller } from './reconcile/controller';
import { retryStatus } from './reconcile/retryStatus';
import { EnvironmentReconciler } from './reconcile/environment/environmentReconciler';
import { EnvironmentSessions } from './reconcile/environment/sessions';
import { UserEnvs } from './reconcile/environment/userEnvs';
import type { ResolvedConfigs } from './reconcile/environment/steps/configStep';
import { buildInputsHash } from './providers/docker/buildContext';
import { ApiServer } from './server/apiServer';
import { coreHandlers, type RunnerServices } from './server/apiHandlers';
import type { Handlers } from './server/handlers';
import { acquireLock, currentProcess, type LockHandle } from './state/lock';
import { writeRunnerInfo } from './state/runnerInfo';
import { ensurePrivateDir, statePaths, type StatePaths } from './state/stateDir';
import { ensureRunnerId, ensureToken } from './state/token';
import { ResourceStore } from './store/resourceStore';
import { VERSION } from './api';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { memoComposeCli } from './reconcile/environment/composeSetup';
import { attachSshGateway, type SshGateway } from './gateway';
import { attachHosts, type Hosts } from './hosts';
import { createAddons, type Addons } from './addons';
import { composeHooks } from './addons/addon';
import { SecretStore } from './secrets/secretStore';
import { logSafe } from './util/logText';
import { redactLocalEnvSecrets } from './secrets/localEnvSecrets';
import { homedir } from 'node:os';
import { RunnerConfigReader } from './config/runnerConfigFile';
import { withAgentPolicy } from './server/agentPolicy';

export interface RunnerOptions {
  stateDir: string;
  port?: number;
  workers?: number;
  resyncMs?: number;
  stopTimeoutSeconds?: number;
  /** The SSH gateway's port on 127.0.0.1 (else $DEVRIG_SSH_PORT, else the last one used or any free one). */
  sshPort?: number;
  /** The local engine; tests may pass their own. */
  provider?: ContainerProvider;
  log?: (msg: string) => void;
}

/**
 * Environments reconciled at the same time. Their work is mostly waiting for an engine (which
 * bounds its own parallelism), so enough that applying many at once is never held up here.
 */
const DEFAULT_WORKERS = 64;

/**
 * The runner: one per user. Owns the store, the reconcilers, the API server and
 * the watches on the world (Docker events, resync timers).
 */
export class Runner {
  readonly paths: StatePaths;
  readonly startedAt = new Date().toISOString();
  store!: ResourceStore;
  logs!: EnvLogs;
  environments!: Controller;
  reconciler!: EnvironmentReconciler;
  /** Where sessions go (gateway, exec API, add-ons' commands). */
  sessions!: EnvironmentSessions;
  provider!: ContainerProvider;
  hosts!: Hosts;
  server!: ApiServer;
  secrets!: SecretStore;
  runnerId!: string;
  private lock?: LockHandle;
  private gateway?: SshGateway;
  private stopping?: Promise<void>;
  private resolveStopRequested!: () => void;
  /** Resolves as soon as stopping begins (a signal, the shutdown call, a failed start). */
  readonly stopRequested = new Promise<void>((r) => (this.resolveStopRequested = r));
  private readonly closers: (() => void | Promise<void>)[] = [];
  private readonly log: (msg: string) => void;
  readonly stopped: Promise<void>;
  private resolveStopped!: () => void;
  private addons?: Addons;

  private constructor(private readonly opts: RunnerOptions) {
    this.paths = statePaths(opts.stateDir);
    const log = opts.log ?? ((m) => console.log(`${new Date().toISOString()} ${m}`));
    // Secret values never reach the runner's log either, nor text that would forge a line of it.
    this.log = (m) => log(logSafe(this.secrets ? this.secrets.redact(m) : m));
    this.stopped = new Promise((r) => (this.resolveStopped = r));
  }

  static async start(opts: RunnerOptions): Promise<Runner> {
    const r = new Runner(opts);
    try {
      await r.init();
    } catch (e) {
      await r.stop().catch(() => {});
      throw e;
    }
    return r;
  }

  /** Someone used environment `name` (an API exec, an SSH session's traffic). */
  notifyActivity(name: string): void {
    this.addons?.activity(name);
  }

  private async init(): Promise<void> {
    const { paths, log } = this;
    await ensurePrivateDir(paths.root);
    this.lock = await acquireLock(paths.lock);
    const token = await ensureToken(paths.token);
    this.runnerId = await ensureRunnerId(paths.runnerId);
    // Secret values never reach a stored status (nor so any API answer, watch event or the disk).
    this.store = await ResourceStore.open(paths.store, {
      log,
      redact: (text) => (this.secrets ? this.secrets.redact(text) : text),
    });
    this.secrets = await SecretStore.open(paths.secrets);
    this.closers.push(redactLocalEnvSecrets(this.store, this.secrets));
    this.logs = new EnvLogs({ dir: paths.logs, redact: this.secrets.redact });
    // The local engine is the only one that gets this machine's registry credentials.
    this.provider = this.opts.provider ?? new DockerProvider({ useLocalCredentials: true });
    // The wiring, explicit: every part gets what it uses, and the API is one type-checked table of
    // the core's handlers and each part's own (no part overwrites another's).
    const config = new RunnerConfigReader(paths.config);
    const hosts = attachHosts({
      store: this.store,
      local: this.provider,
      runnerId: this.runnerId,
      engineSocketDir: join(paths.compose, 'engines'),
      enqueueEnvironment: (name) => this.environments.enqueue(name),
      log,
    });
    this.hosts = hosts.hosts;
    const configs: ResolvedConfigs = new Map();
    // Your secrets for all environments are not an agent's: its environments get their own only.
    const secrets = (env: Environment) =>
      this.secrets.valuesFor(env.metadata.name, { userWide: !isAgentEnvironment(env) });
    const providerFor = async (env: Environment) => this.hosts.providerFor(env);
    const userEnvs = new UserEnvs();
    this.sessions = new EnvironmentSessions({ providerFor, configs, secrets, logs: this.logs, userEnvs });
    const addons = createAddons({
      paths,
      store: this.store,
      logs: this.logs,
      secrets: this.secrets,
      providerFor,
      commandEnv: async (env) => this.sessions.commandEnv(env),
      notifyActivity: (name) => this.notifyActivity(name),
      log,
    });
    this.addons = addons;
    this.addCloser(() => addons.close());
    this.reconciler = new EnvironmentReconciler({
      store: this.store,
      logs: this.logs,
      providerFor: (env) => this.hosts.providerFor(env),
      place: (env) => this.hosts.place(env),
      sourcesDir: paths.sources,
      stateDir: paths.root,
      runnerId: this.runnerId,
      hashBuildInputs: (build) => buildInputsHash(build),
      configs,
      // Ready waits for the environment's Host block in ssh_config: `ssh devrig-<name>` works once
      // `up` returns (the gateway starts after the reconciler is made, hence the late lookup).
      hooks: composeHooks(
        [
          { name: 'add-ons', hooks: addons.hooks },
          { name: 'ssh config', hooks: { prepare: async () => this.gateway?.flushConfig() } },
        ],
        log,
      ),
      stopTimeoutSeconds: this.opts.stopTimeoutSeconds,
      secrets,
      userEnvs,
      requeue: (name) => this.environments.enqueue(name),
      compose: {
        stateDir: paths.compose,
        // A config file that cannot be read is reported where it is used (devrig config); here it means the default.
        cli: memoComposeCli(async () => (await config.read().catch(() => undefined))?.compose?.path),
      },
    });
    this.environments = new Controller(this.reconciler, {
      name: 'environments',
      workers: this.opts.workers ?? DEFAULT_WORKERS,
      resyncMs: this.opts.resyncMs ?? 60_000,
      keys: () => this.store.list('Environment').map((e) => e.metadata.name),
      log,
      // status.retry: attempts and the next one, so people see the backoff rather than guess it.
      onAttempt: (name, report) =>
        void this.store
          .patchEnvironmentStatus(name, 'retries', { fields: { retry: retryStatus(report, new Date()) } })
          .catch((e: Error) => log(`environments: ${name}: storing the retry status: ${e.message}`)),
    });
    this.watchStore();
    const events = this.provider.watchEvents(
      (e) => {
        const name = e.labels[LABELS.environment];
        if (name && e.labels[LABELS.runner] === this.runnerId) this.environments.enqueue(name);
      },
      // Events may have been missed while disconnected: look at everything again.
      () => this.environments.resync(),
    );
    this.closers.push(() => events.close());
    const gateway = await attachSshGateway(
      {
        stateDir: paths.root,
        store: this.store,
        sessionTarget: (env) => this.sessions.sessionTarget(env),
        notifyActivity: (name) => this.notifyActivity(name),
        attach: (name) => this.attach(name),
        log,
      },
      { port: this.opts.sshPort },
    );
    this.gateway = gateway.gateway;

    const services: RunnerServices = {
      store: this.store,
      logs: this.logs,
      environments: this.environments,
      sessionTarget: (env) => this.sessions.sessionTarget(env),
      providerFor,
      startedAt: this.startedAt,
      localEnv: process.env,
      shutdown: () => void this.stop(),
      onActivity: (name) => this.notifyActivity(name),
      attach: (name) => this.attach(name),
    };
    const handlers: Handlers = {
      ...coreHandlers(services),
      ...gateway.handlers,
      ...hosts.handlers,
      ...addons.handlers,
    };
    this.server = await ApiServer.listen({
      token,
      // Connections of AI agent sessions (devrig mcp) are held to the agent policy.
      handlers: withAgentPolicy(handlers, {
        store: this.store,
        logs: this.logs,
        readConfig: async () => (await config.read()).agents ?? {},
        host: { home: homedir(), stateDir: paths.root },
        log,
      }),
      port: this.opts.port,
      log,
    });
    this.environments.start();
    this.hosts.start();
    await writeRunnerInfo(paths.info, {
      pid: process.pid,
      pidStartTime: currentProcess().startTime,
      port: this.server.port,
      sshPort: this.gateway?.port,
      version: VERSION,
      startedAt: this.startedAt,
    });
    log(`runner ${VERSION} listening on 127.0.0.1:${this.server.port} (state ${paths.root})`);
  }

  private readonly attaching = new Map<string, Promise<void>>();

  /** Runs postAttachCommand for a tool attaching; attaches arriving meanwhile share the run. */
  attach(name: string): Promise<void> {
    let run = this.attaching.get(name);
    if (!run) {
      const env = this.store.mustGet('Environment', name);
      run = this.sessions.postAttach(env).finally(() => this.attaching.delete(name));
      this.attaching.set(name, run);
    }
    return run;
  }

  /** Only what changes the desired state queues work; the reconciler's own status writes do not. */
  private watchStore(): void {
    const seen = new Map<string, Environment>();
    const stop = this.store.watch({ kind: 'Environment' }, (e) => {
      if (e.object.kind !== 'Environment') return;
      const name = e.object.metadata.name;
      const prev = seen.get(name);
      if (e.type === 'DELETED') {
        seen.delete(name);
        this.environments.forget(name);
        return;
      }
      seen.set(name, e.object);
      const m = e.object.metadata;
      const specChanged = !prev || prev.metadata.generation !== m.generation;
      const deleting = !!m.deletionTimestamp && !prev?.metadata.deletionTimestamp;
      // The reconciler adds its finalizer itself (no need to look again); one going during
      // deletion may be the last.
      const finalizers =
        !!m.deletionTimestamp && !!prev && !isDeepStrictEqual(prev.metadata.finalizers, m.finalizers);
      if (prev && (specChanged || deleting)) {
        // A long step (a build, a postCreateCommand) for an outdated spec is not worth finishing.
        this.environments.abortInflight(
          name,
          deleting ? 'the environment is being deleted' : 'the spec changed',
        );
      }
      if (specChanged || deleting || finalizers) this.environments.enqueue(name);
    });
    this.closers.push(stop);
  }

  onIdle(): Promise<void> {
    return this.environments.onIdle();
  }

  /**
   * Stops in dependency order: first what starts work (the controllers, whose in-flight reconciles
   * are cancelled and awaited, the host connections and the SSH gateway), then the add-ons those
   * reconciles call into (automations, ports, ...), then the API and the store.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.resolveStopRequested();
      this.log('runner stopping');
      await this.environments?.stop().catch((e) => this.log(`stopping the environments: ${e}`));
      await this.hosts?.stop().catch((e) => this.log(`stopping the hosts: ${e}`));
      await this.gateway?.close().catch((e) => this.log(`stopping the ssh gateway: ${e}`));
      for (const c of this.closers.reverse()) await Promise.resolve(c()).catch(() => {});
      await this.server?.close();
      await this.store?.close();
      // runner.json belongs to the lock holder: a starter that lost the race for the lock must not
      // delete the winner's (clients could no longer find the running runner).
      if (this.lock) await unlink(this.paths.info).catch(() => {});
      await this.lock?.release();
      this.resolveStopped();
    })();
    return this.stopping;
  }

  addCloser(fn: () => void | Promise<void>): void {
    this.closers.push(fn);
  }
}
