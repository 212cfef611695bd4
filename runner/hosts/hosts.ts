import {
  ApiError,
  EnvironmentConditions,
  LOCAL_HOST,
  findCondition,
  parseBytes,
  type Environment,
  type Host,
  type TypedConditionInput,
} from '../api';
import type { ContainerEvent, ContainerProvider } from '../providers/provider';
import { LABELS } from '../providers/provider';
import { hostKeyLine, parseHostKeyLine } from '../providers/ssh/hostKey';
import { fingerprint } from '../sshConfig/sshKeyFormat';
import { notReadyReason, type SshConnectionOptions } from '../providers/ssh/sshConnection';
import { Controller } from '../reconcile/controller';
import type { EnvironmentPlacement } from '../reconcile/environment/steps/placementStep';
import type { ResourceStore } from '../store/resourceStore';
import { HostConnection, connectionKey } from './hostConnection';
import { HostReconciler } from './hostController';
import { schedule, type EnvironmentView, type HostView } from './scheduler';

export interface HostsDeps {
  store: ResourceStore;
  /** The local engine (host `local`). */
  local: ContainerProvider;
  runnerId: string;
  /** Look at an environment again (its host changed state, capacity freed up). */
  enqueueEnvironment(name: string): void;
  log(msg: string): void;
  ssh?: SshConnectionOptions;
  /** How long a reconcile waits for a host that is still making its first connection. */
  firstConnectWaitMs?: number;
  /** Where the hosts' engine sockets are forwarded to (0700), for the Compose CLI. */
  engineSocketDir?: string;
}

/**
 * Remote hosts: one connection per Host resource (its controller keeps it and the Host's status
 * current), placement of environments onto hosts, and the provider an environment's host gives.
 */
export class Hosts {
  readonly controller: Controller;
  private readonly connections = new Map<string, HostConnection>();
  /** Placements made but maybe not yet in status.host (env uid → host): capacity counts them. */
  private readonly reservations = new Map<string, string>();
  private stopWatch?: () => void;

  constructor(private readonly deps: HostsDeps) {
    this.controller = new Controller(
      new HostReconciler({
        store: deps.store,
        connectionFor: (h) => this.connectionFor(h),
        dropConnection: (n) => this.dropConnection(n),
        environmentsOn: (n) => this.environmentsOn(n),
      }),
      {
        name: 'hosts',
        workers: 2,
        resyncMs: 60_000,
        keys: () => deps.store.list('Host').map((h) => h.metadata.name),
        log: deps.log,
      },
    );
  }

  start(): void {
    const seen = new Map<string, string | undefined>();
    this.stopWatch = this.deps.store.watch({}, (e) => {
      const o = e.object;
      if (o.kind === 'Host') {
        if (
          e.type !== 'MODIFIED' ||
          o.metadata.deletionTimestamp ||
          o.metadata.generation !== o.status.observedGeneration
        ) {
          this.controller.enqueue(o.metadata.name);
        }
        return;
      }
      // An environment placed, moved off or gone: its host's status (and free room) changes.
      const before = seen.get(o.metadata.uid);
      const now = e.type === 'DELETED' ? undefined : o.status.host;
      if (e.type === 'DELETED') {
        seen.delete(o.metadata.uid);
        this.reservations.delete(o.metadata.uid);
        this.retryUnscheduled();
      } else seen.set(o.metadata.uid, now);
      if (before === now && e.type !== 'DELETED') return;
      for (const h of new Set([before, now])) if (h && h !== LOCAL_HOST) this.controller.enqueue(h);
    });
    this.controller.start();
  }

  async stop(): Promise<void> {
    this.stopWatch?.();
    await this.controller.stop();
    for (const c of this.connections.values()) c.close();
    this.connections.clear();
  }

  /** Where `env` runs, deciding it the first time; the conditions say why (or why not yet). */
  async place(env: Environment): Promise<EnvironmentPlacement> {
    const placedOn = this.placedOn(env);
    const decision = schedule(this.view(env), this.hostViews(), this.environmentViews());
    if (!decision.scheduled) {
      this.reservations.delete(env.metadata.uid);
      return {
        conditions: [
          { type: 'Scheduled', status: 'False', reason: decision.reason, message: decision.message },
        ],
        waiting: { reason: 'Unschedulable', message: decision.message, retryAfterMs: 5_000 },
      };
    }
    const host = decision.host;
    // Keep the reason it was placed for: "placed on X because ..." explains more than "placed on X".
    const previous = findCondition(env.status.conditions, EnvironmentConditions.Scheduled);
    const message =
      placedOn === host &&
      previous?.status === 'True' &&
      previous.message.includes(`host ${host}`) &&
      !decision.message.includes('(spec.host now')
        ? previous.message
        : decision.message;
    const scheduled: TypedConditionInput<'Scheduled'> = {
      type: 'Scheduled',
      status: 'True',
      reason: 'Scheduled',
      message,
    };
    if (host === LOCAL_HOST) return { host, provider: this.deps.local, conditions: [scheduled] };
    this.reservations.set(env.metadata.uid, host);
    // Right after a runner start the Host controller may not have connected yet: start it now.
    const h = this.deps.store.get('Host', host);
    const hc =
      this.connections.get(host) ?? (h && !h.metadata.deletionTimestamp ? this.connectionFor(h) : undefined);
    if (hc?.ssh.state.phase === 'connecting') {
      // Just started (a runner restart): give the first connection a moment rather than flap to Unreachable.
      await hc.ssh.whenReady(this.deps.firstConnectWaitMs ?? 5_000).catch(() => {});
    }
    if (!hc || hc.ssh.state.phase !== 'ready') {
      const why = (hc && notReadyReason(hc.ssh.state)) ?? 'no connection yet';
      const msg = `host ${host} is not reachable: ${why}; nothing was changed there, waiting for it to come back`;
      return {
        host,
        conditions: [
          scheduled,
          { type: 'HostReachable', status: 'False', reason: 'HostUnreachable', message: msg },
        ],
        waiting: { reason: 'HostUnreachable', message: msg, retryAfterMs: 15_000 },
      };
    }
    return { host, provider: hc.provider, conditions: [scheduled] };
  }

  /** The provider of the host `env` is placed on, without placing it (sessions, deletion). */
  providerFor(env: Environment): ContainerProvider | undefined {
    const host = this.placedOn(env) ?? (!env.spec.host && !env.spec.hostSelector ? LOCAL_HOST : undefined);
    if (!host) return undefined;
    if (host === LOCAL_HOST) return this.deps.local;
    return this.connections.get(host)?.provider;
  }

  /** `host.acceptKey`: trust the key the host presented (or one given out of band), then pin it. */
  async acceptKey(name: string, line: string): Promise<Host> {
    const host = this.deps.store.mustGet('Host', name);
    const key = parseHostKeyLine(line);
    if (!key) throw new ApiError('Invalid', `not a public key: ${line.slice(0, 40)}`);
    const observed = host.status.observedHostKey ? parseHostKeyLine(host.status.observedHostKey) : undefined;
    if (observed && !observed.blob.equals(key.blob)) {
      throw new ApiError(
        'Conflict',
        `host ${name} presented ${observed.type} ${fingerprint(observed.blob)}, not the key you accepted (${key.type} ${fingerprint(key.blob)}); nothing changed`,
      );
    }
    const applied = await this.deps.store.apply({
      kind: 'Host',
      metadata: { name, resourceVersion: host.metadata.resourceVersion, labels: host.metadata.labels },
      spec: { ...host.spec, hostKey: hostKeyLine(key) },
    });
    this.deps.log(`host ${name}: host key ${key.type} ${fingerprint(key.blob)} accepted`);
    return applied as Host;
  }

  private connectionFor(host: Host): HostConnection {
    const name = host.metadata.name;
    const existing = this.connections.get(name);
    if (existing && existing.key === connectionKey(host)) return existing;
    existing?.close();
    let last = '';
    const hc = new HostConnection(host, {
      ssh: this.deps.ssh,
      ...(this.deps.engineSocketDir ? { engineSocketDir: this.deps.engineSocketDir } : {}),
      onState: (s) => {
        this.controller.enqueue(name);
        // A failed retry repeats the same news: say it (and look at environments) only once.
        const now = s.phase === 'down' ? `down ${s.reason}: ${s.message}` : s.phase;
        if (now === last) return;
        last = now;
        this.deps.log(`host ${name}: ${now}`);
        for (const e of this.environmentsOn(name)) this.deps.enqueueEnvironment(e.metadata.name);
        if (s.phase === 'ready') this.retryUnscheduled();
      },
      onEvent: (e: ContainerEvent) => {
        const env = e.labels[LABELS.environment];
        if (env && e.labels[LABELS.runner] === this.deps.runnerId) this.deps.enqueueEnvironment(env);
      },
      onEventsReconnect: () => {
        for (const e of this.environmentsOn(name)) this.deps.enqueueEnvironment(e.metadata.name);
      },
    });
    this.connections.set(name, hc);
    hc.start();
    return hc;
  }

  private dropConnection(name: string): void {
    this.connections.get(name)?.close();
    this.connections.delete(name);
  }

  private placedOn(env: Environment): string | undefined {
    return env.status.host ?? this.reservations.get(env.metadata.uid);
  }

  private environmentsOn(host: string): Environment[] {
    return this.deps.store.list('Environment').filter((e) => this.placedOn(e) === host);
  }

  private retryUnscheduled(): void {
    for (const e of this.deps.store.list('Environment')) {
      if (findCondition(e.status.conditions, EnvironmentConditions.Scheduled)?.status === 'False') {
        this.deps.enqueueEnvironment(e.metadata.name);
      }
    }
  }

  private view(env: Environment): EnvironmentView {
    return {
      name: env.metadata.name,
      host: env.spec.host,
      hostSelector: env.spec.hostSelector,
      placedOn: this.placedOn(env),
      cpus: env.spec.resources?.cpus,
      memoryBytes: env.spec.resources?.memory ? parseBytes(env.spec.resources.memory) : undefined,
    };
  }

  private environmentViews(): EnvironmentView[] {
    return this.deps.store.list('Environment').map((e) => this.view(e));
  }

  private hostViews(): HostView[] {
    return this.deps.store.list('Host').map((h) => {
      const st = this.connections.get(h.metadata.name)?.ssh.state;
      const docker = findCondition(h.status.conditions, 'DockerAvailable');
      const connected = st?.phase === 'ready';
      const engineOk = h.spec.mode === 'plain' || docker?.status !== 'False';
      return {
        name: h.metadata.name,
        labels: h.metadata.labels,
        ready: connected && engineOk,
        notReady: !connected
          ? st?.phase === 'down'
            ? st.message
            : 'not connected yet'
          : !engineOk
            ? docker?.message
            : undefined,
        deleting: !!h.metadata.deletionTimestamp,
        capacity: h.spec.capacity && {
          maxEnvironments: h.spec.capacity.maxEnvironments,
          cpus: h.spec.capacity.cpus,
          memoryBytes: h.spec.capacity.memory ? parseBytes(h.spec.capacity.memory) : undefined,
        },
      };
    });
  }
}
