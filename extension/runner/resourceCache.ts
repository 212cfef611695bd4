// An informer, Kubernetes style: list every Environment and Host, then watch from the list's
// resourceVersion; on each new connection list again. The last known objects stay while the runner is
// away, so the tree keeps showing them. No polling: every change arrives on the watch stream.

import { EventEmitter } from 'node:events';
import { isApiError, type Environment, type Host, type Resource, type WatchEvent } from '../../runner/api';
import type { RunnerClient } from '../../runner/client/runnerClient';

export type CacheChange =
  { type: 'synced' } | { type: 'stale' } | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; resource: Resource };

type Listing = Pick<RunnerClient, 'call' | 'stream' | 'isOpen'>;

const key = (r: Pick<Resource, 'kind'> & { metadata: { name: string } }) => `${r.kind}/${r.metadata.name}`;

export class ResourceCache extends EventEmitter<{ change: [CacheChange]; error: [Error] }> {
  private readonly items = new Map<string, Resource>();
  private client: Listing | undefined;
  private cancelWatch: (() => Promise<void>) | undefined;
  /** True once a list has completed on the current connection. */
  private syncedValue = false;
  /** True once any list has completed (the objects are known, maybe stale). */
  private everSynced = false;
  private generation = 0;

  constructor() {
    super();
    this.setMaxListeners(100);
  }

  get synced(): boolean {
    return this.syncedValue;
  }

  get hasData(): boolean {
    return this.everSynced;
  }

  /** Resolves once the objects are current (listed on a live connection). */
  whenSynced(): Promise<void> {
    if (this.syncedValue) return Promise.resolve();
    return new Promise((resolve) => {
      const onChange = (c: CacheChange) => {
        if (c.type !== 'synced') return;
        this.off('change', onChange);
        resolve();
      };
      this.on('change', onChange);
    });
  }

  environments(): Environment[] {
    return [...this.items.values()].filter((r): r is Environment => r.kind === 'Environment');
  }

  hosts(): Host[] {
    return [...this.items.values()].filter((r): r is Host => r.kind === 'Host');
  }

  environment(name: string): Environment | undefined {
    const r = this.items.get(`Environment/${name}`);
    return r?.kind === 'Environment' ? r : undefined;
  }

  /** Lists and watches on a new connection; the previous one's watch is dropped. */
  async attach(client: Listing): Promise<void> {
    const gen = ++this.generation;
    void this.cancelWatch?.();
    this.cancelWatch = undefined;
    this.client = client;
    try {
      await this.listAndWatch(client, gen);
    } catch (e) {
      if (gen !== this.generation || !client.isOpen) return; // superseded or disconnected: a reconnect follows
      this.emit('error', new Error(`cannot list devrig resources: ${(e as Error).message}`, { cause: e }));
    }
  }

  /** The connection is gone: keep the objects, mark them stale. */
  detach(): void {
    this.generation++;
    this.client = undefined;
    this.cancelWatch = undefined;
    if (this.syncedValue) {
      this.syncedValue = false;
      this.emit('change', { type: 'stale' });
    }
  }

  private async listAndWatch(client: Listing, gen: number): Promise<void> {
    const [envs, hosts] = await Promise.all([
      client.call('list', { kind: 'Environment' }),
      client.call('list', { kind: 'Host' }),
    ]);
    if (gen !== this.generation) return;
    this.items.clear();
    for (const r of [...envs.items, ...hosts.items]) this.items.set(key(r), r);
    this.syncedValue = true;
    this.everSynced = true;
    this.emit('change', { type: 'synced' });
    // Watch from the older of the two list versions; events already seen are skipped by resourceVersion.
    const from = String(Math.min(Number(envs.resourceVersion), Number(hosts.resourceVersion)));
    const handle = await client.stream('watch', { resourceVersion: from }, (e) => {
      if (gen === this.generation) this.apply(e);
    });
    if (gen !== this.generation) {
      void handle.cancel();
      return;
    }
    this.cancelWatch = () => handle.cancel();
    handle.done.then(
      () => this.rewatch(client, gen),
      (e) => {
        // Expired: we fell too far behind; anything else is a dropped connection (reconnect follows).
        if (isApiError(e, 'Expired')) this.rewatch(client, gen);
      },
    );
  }

  /** The runner ended the watch while the connection is still up: list and watch again. */
  private rewatch(client: Listing, gen: number): void {
    if (gen !== this.generation || !client.isOpen) return;
    void this.attach(client);
  }

  private apply(e: WatchEvent): void {
    const k = key(e.object);
    const cur = this.items.get(k);
    // Replayed history can be older than what a list already returned.
    if (cur && Number(cur.metadata.resourceVersion) >= Number(e.object.metadata.resourceVersion)) return;
    if (e.type === 'DELETED') {
      if (!cur) return;
      this.items.delete(k);
    } else {
      this.items.set(k, e.object);
    }
    this.emit('change', { type: e.type, resource: e.object });
  }
}
