import { HOST_FINALIZER, HostConditions, parseBytes, type Environment, type Host } from '../api';
import { setCondition } from '../api/setCondition';
import { addFinalizer, removeFinalizer } from '../reconcile/finalizers';
import type { ReconcileResult, Reconciler } from '../reconcile/controller';
import type { ResourceStore } from '../store/resourceStore';
import type { HostConnection } from './hostConnection';
import { hostStatus, statusChanged, type HostFacts } from './hostStatus';

export interface HostControllerDeps {
  store: ResourceStore;
  /** The live connection for this spec (made or replaced when the spec changed). */
  connectionFor(host: Host): HostConnection;
  dropConnection(name: string): void;
  /** Environments placed on the host (written or about to be). */
  environmentsOn(name: string): Environment[];
  /** How often a connected host is looked at again (last seen, engine still usable). */
  healthMs?: number;
  now?: () => Date;
}

/**
 * Makes the world match one Host: a connection to it kept open, its status (key, reachability,
 * engine, capacity) reported. Removing a host waits until no environment is placed on it.
 */
export class HostReconciler implements Reconciler {
  private readonly now: () => Date;

  constructor(private readonly deps: HostControllerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    let host = this.deps.store.get('Host', name);
    if (!host) {
      this.deps.dropConnection(name);
      return;
    }
    if (host.metadata.deletionTimestamp) return this.finalize(host);
    const withFinalizer = await addFinalizer(this.deps.store, host, HOST_FINALIZER);
    if (!withFinalizer) return;
    host = withFinalizer;
    const hc = this.deps.connectionFor(host);
    const facts = await this.facts(host, hc);
    await this.write(host, hostStatus(host, facts, this.now()));
    return { requeueAfterMs: this.deps.healthMs ?? 30_000 };
  }

  private async facts(host: Host, hc: HostConnection): Promise<HostFacts> {
    const envs = this.deps.environmentsOn(host.metadata.name).map((e) => ({
      name: e.metadata.name,
      cpus: e.spec.resources?.cpus,
      memoryBytes: e.spec.resources?.memory ? parseBytes(e.spec.resources.memory) : undefined,
    }));
    const key = hc.ssh.presentedKeyLine;
    const facts: HostFacts = {
      state: hc.ssh.state,
      presentedKey: key ? { line: key, fingerprint: hc.ssh.presentedKeyFingerprint! } : undefined,
      environments: envs,
    };
    if (facts.state.phase !== 'ready') return facts;
    try {
      const info = await hc.provider.info();
      facts.os = info.os;
      if (hc.mode === 'docker') facts.docker = { ok: true, version: info.serverVersion };
    } catch (e) {
      if (hc.mode === 'docker') facts.docker = { ok: false, message: (e as Error).message };
    }
    // The state may have changed while asking.
    facts.state = hc.ssh.state;
    return facts;
  }

  private async write(host: Host, status: Host['status']): Promise<void> {
    const current = this.deps.store.get('Host', host.metadata.name);
    if (!current || current.metadata.uid !== host.metadata.uid) return;
    if (!statusChanged(current.status, status)) return;
    await this.deps.store.updateStatus('Host', host.metadata.name, status);
  }

  private async finalize(host: Host): Promise<ReconcileResult | void> {
    const name = host.metadata.name;
    const envs = this.deps.environmentsOn(name).map((e) => e.metadata.name);
    if (envs.length > 0) {
      const status = structuredClone(host.status);
      status.conditions = setCondition(
        status.conditions,
        {
          type: HostConditions.Ready,
          status: 'False',
          reason: 'Draining',
          message: `waiting for the environments on it to be deleted first: ${envs.join(', ')} (devrig delete ${envs.join(' ')})`,
        },
        host.metadata.generation,
        this.now(),
      );
      await this.write(host, status);
      return { requeueAfterMs: 5_000 };
    }
    this.deps.dropConnection(name);
    await removeFinalizer(this.deps.store, host, HOST_FINALIZER);
  }
}
