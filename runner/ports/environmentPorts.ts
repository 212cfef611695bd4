import { isDeepStrictEqual } from 'node:util';
import type { PortStatus } from '../api';
import type { ContainerProvider } from '../providers/provider';
import { watchListeners, type ListenerWatch } from './listenerWatch';
import type { LookPolicy } from './lookSchedule';
import { LocalPortError, PortForward } from './portForwarder';
import { localUrl, planPorts, type PlannedPort, type PortsConfig } from './portPlan';

export interface EnvironmentPortsDeps {
  provider: ContainerProvider;
  containerId: string;
  config: PortsConfig;
  /** Ports shown before (a runner restart): their local ports are tried again, for stable URLs. */
  previous: PortStatus[];
  /** How often to look for listeners (often while active, rarely while idle). */
  policy?: LookPolicy;
  /** When something last happened in the environment (its start, activity), when known. */
  activeSince?: number;
  publish(ports: PortStatus[]): void;
  onTraffic(): void;
  log(msg: string): void;
}

/**
 * The ports of one running container: follows what listens in it (listenerWatch.ts), holds a
 * runner-side forward for each port that should be forwarded, and reports them all.
 */
export class EnvironmentPorts {
  private readonly forwards = new Map<number, PortForward>();
  private readonly errors = new Map<number, string>();
  private listening: number[] = [];
  /** The sync running now; at most one runs at a time. */
  private syncing?: Promise<void>;
  /** The wanted state changed while a sync ran: sync again after it. */
  private syncAgain = false;
  private watch?: ListenerWatch;
  private published?: PortStatus[];
  private disposed = false;
  private config: PortsConfig;

  constructor(private readonly deps: EnvironmentPortsDeps) {
    this.config = deps.config;
    // Until the watcher's first look, the last one shown (a runner restart shows what it showed).
    this.listening = deps.previous.filter((p) => p.listening).map((p) => p.port);
  }

  get containerId(): string {
    return this.deps.containerId;
  }

  start(): void {
    // forwardPorts are held (and shown) whether or not anything listens: no need to wait for the
    // watcher's first look.
    if (this.config.forwardPorts.length > 0) this.sync();
    this.watch = watchListeners({
      provider: this.deps.provider,
      containerId: this.deps.containerId,
      policy: this.deps.policy,
      activeSince: this.deps.activeSince,
      onListening: (ports) => {
        this.listening = ports;
        this.sync();
      },
      log: this.deps.log,
    });
  }

  /** Something happened in the environment (a session, traffic): new listeners are likely. */
  poke(): void {
    this.watch?.poke();
  }

  setConfig(config: PortsConfig): void {
    if (isDeepStrictEqual(config, this.config)) return;
    this.config = config;
    // A port that failed may work under its new attributes (requireLocalPort dropped).
    this.errors.clear();
    this.sync();
  }

  dispose(): void {
    this.disposed = true;
    this.watch?.dispose();
    for (const f of this.forwards.values()) f.close();
    this.forwards.clear();
  }

  /** Resolves once no sync is running (for tests: what was asked for so far is done). */
  async settled(): Promise<void> {
    while (this.syncing) await this.syncing;
  }

  /**
   * Brings the forwards and the status to the latest listeners and config. One sync at a time:
   * asked for while one runs, it runs once more after it, with whatever is latest then (so a
   * forward opened for a port that vanished meanwhile is closed, and an older plan is never
   * published after a newer one).
   */
  private sync(): void {
    if (this.disposed) return;
    if (this.syncing) {
      this.syncAgain = true;
      return;
    }
    this.syncing = (async () => {
      try {
        do {
          this.syncAgain = false;
          await this.syncOnce();
        } while (this.syncAgain && !this.disposed);
      } catch (e) {
        this.deps.log(`sync failed: ${(e as Error).message}`);
      } finally {
        this.syncing = undefined;
      }
    })();
  }

  private async syncOnce(): Promise<void> {
    const plan = planPorts(this.config, this.listening);
    const wanted = new Set(plan.filter((p) => p.forward).map((p) => p.port));
    for (const [port, f] of this.forwards) {
      if (wanted.has(port)) continue;
      f.close();
      this.forwards.delete(port);
    }
    for (const [port] of this.errors) if (!wanted.has(port)) this.errors.delete(port);
    await Promise.all(
      plan
        .filter((p) => p.forward && !this.forwards.has(p.port) && !this.errors.has(p.port))
        .map((p) => this.open(p)),
    );
    // Outdated while the forwards opened: the next round reports.
    if (this.disposed || this.syncAgain) return;
    this.report(plan);
  }

  private async open(p: PlannedPort): Promise<void> {
    const before = this.deps.previous.find((x) => x.port === p.port)?.localPort;
    try {
      const f = await PortForward.open({
        port: p.port,
        preferred: [p.port, ...(before ? [before] : [])],
        requireLocalPort: p.attributes.requireLocalPort,
        connect: () => this.deps.provider.connectTcp(this.deps.containerId, p.port),
        onTraffic: () => this.deps.onTraffic(),
        log: this.deps.log,
      });
      if (this.disposed) f.close();
      else this.forwards.set(p.port, f);
    } catch (e) {
      this.errors.set(
        p.port,
        e instanceof LocalPortError
          ? `${e.message} and requireLocalPort is set for port ${p.port}`
          : (e as Error).message,
      );
    }
  }

  private report(plan: PlannedPort[]): void {
    const ports = plan.map((p): PortStatus => {
      const base = {
        port: p.port,
        protocol: 'tcp' as const,
        source: p.source,
        listening: p.listening,
        ...(p.attributes.label ? { label: p.attributes.label } : {}),
        ...(p.attributes.onAutoForward ? { onAutoForward: p.attributes.onAutoForward } : {}),
      };
      if (!p.forward) return { ...base, state: 'Ignored', message: 'onAutoForward is "ignore"' };
      const error = this.errors.get(p.port);
      if (error) return { ...base, state: 'Error', message: error };
      const f = this.forwards.get(p.port);
      if (!f) return { ...base, state: 'Pending' };
      const notes = [
        f.note,
        p.listening ? undefined : `nothing listens on port ${p.port} in the environment yet`,
      ];
      const message = notes.filter(Boolean).join('; ');
      return {
        ...base,
        localPort: f.localPort,
        url: localUrl(f.localPort, p.attributes),
        state: 'Forwarded',
        ...(message ? { message } : {}),
      };
    });
    if (this.published && isDeepStrictEqual(this.published, ports)) return;
    this.published = ports;
    this.deps.publish(ports);
  }
}
