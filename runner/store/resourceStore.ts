import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import type { z } from 'zod';
import {
  ApiError,
  EnvironmentStatus,
  HostStatus,
  Resource,
  ResourceApply,
  type Environment,
  type Kind,
  type StatusPatch,
  type StatusWriter,
  type WatchEvent,
} from '../api';
import { ensurePrivateDir } from '../state/stateDir';
import { readFileIfExists, writeFileAtomic } from '../state/privateFile';
import type { Journal } from './journal';
import { applyStatusPatch } from './statusPatch';
import { encodeSnapshot } from './snapshot';
import { loadStoreFiles, SNAPSHOT_FILE } from './storeFiles';

type ParsedApply = z.infer<typeof ResourceApply>;
type Status<K extends Kind> = Extract<Resource, { kind: K }>['status'];

export interface StoreOptions {
  /** Journal records before the store compacts into a snapshot. */
  compactAfter?: number;
  /** Watch events kept in memory for resuming watches. */
  historySize?: number;
  now?: () => Date;
  log?: (msg: string) => void;
  /**
   * Scrubs secret values from text: applied to every Environment status patch, the one way status
   * is written, so no stored status (on disk, in an answer, in a watch event) holds one.
   */
  redact?: (text: string) => string;
}

export type WatchListener = (event: WatchEvent & { resourceVersion: string }) => void;

interface Watcher {
  kind?: Kind;
  name?: string;
  listener: WatchListener;
}

const key = (kind: string, name: string) => `${kind}/${name}`;

/**
 * The runner's persistent store of resources. Every change is in the journal on disk
 * (fsynced) before the call resolves, then applied in memory and told to watchers.
 * Writes are serialised, so resourceVersion checks and generation bumps never race.
 */
export class ResourceStore {
  private readonly objects = new Map<string, Resource>();
  private readonly history: (WatchEvent & { rv: number })[] = [];
  private readonly watchers = new Set<Watcher>();
  private rv = 0;
  private historyStart = 0;
  private writeChain: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly journal: Journal,
    private readonly opts: Required<
      Pick<StoreOptions, 'compactAfter' | 'historySize' | 'now' | 'log' | 'redact'>
    >,
  ) {}

  static async open(dir: string, options: StoreOptions = {}): Promise<ResourceStore> {
    await ensurePrivateDir(dir);
    const opts = {
      compactAfter: options.compactAfter ?? 1000,
      historySize: options.historySize ?? 2000,
      now: options.now ?? (() => new Date()),
      log: options.log ?? (() => {}),
      redact: options.redact ?? ((text: string) => text),
    };
    const { journal, snapshot, changes, truncated } = await loadStoreFiles(dir);
    const store = new ResourceStore(dir, journal, opts);
    if (truncated)
      opts.log('store: cut off an incomplete record at the end of the journal (a crash mid-write)');
    if (snapshot) {
      store.rv = snapshot.rv;
      for (const raw of snapshot.objects) store.load(raw);
    }
    for (const change of changes) {
      store.rv = change.rv;
      if (change.op === 'put') store.load(change.object);
      else store.objects.delete(key(change.kind, change.name));
    }
    store.historyStart = store.rv;
    if (store.unreadable.length > 0) {
      // Never drop what was stored: keep unreadable objects beside the store for a person to look at.
      const path = join(dir, 'quarantine.json');
      const previous = JSON.parse((await readFileIfExists(path)) ?? '[]') as unknown[];
      await writeFileAtomic(path, JSON.stringify([...previous, ...store.unreadable], null, 2), 0o600);
    }
    return store;
  }

  private readonly unreadable: unknown[] = [];

  private load(raw: unknown): void {
    const parsed = Resource.safeParse(raw);
    if (!parsed.success) {
      this.unreadable.push(raw);
      this.opts.log(
        `store: skipping an unreadable object (kept in quarantine.json): ${parsed.error.message}`,
      );
      return;
    }
    this.objects.set(key(parsed.data.kind, parsed.data.metadata.name), deepFreeze(parsed.data));
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  get<K extends Kind>(kind: K, name: string): Extract<Resource, { kind: K }> | undefined {
    return this.objects.get(key(kind, name)) as Extract<Resource, { kind: K }> | undefined;
  }

  mustGet<K extends Kind>(kind: K, name: string): Extract<Resource, { kind: K }> {
    const o = this.get(kind, name);
    if (!o) throw new ApiError('NotFound', `${kind.toLowerCase()} "${name}" not found`);
    return o;
  }

  list<K extends Kind>(kind: K, labels?: Record<string, string>): Extract<Resource, { kind: K }>[] {
    const out: Extract<Resource, { kind: K }>[] = [];
    for (const o of this.objects.values()) {
      if (o.kind !== kind) continue;
      if (labels && !Object.entries(labels).every(([k, v]) => o.metadata.labels[k] === v)) continue;
      out.push(o as Extract<Resource, { kind: K }>);
    }
    return out.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  }

  /** Creates or updates spec and labels. A given resourceVersion must be current. */
  apply(input: ParsedApply): Promise<Resource> {
    return this.serialise(async () => {
      const { kind } = input;
      const { name, resourceVersion, labels } = input.metadata;
      // Compare and store exactly what a reload from disk would produce.
      input = { ...input, spec: JSON.parse(JSON.stringify(input.spec)) } as ParsedApply;
      const existing = this.get(kind, name);
      if (resourceVersion !== undefined) {
        if (!existing) {
          throw new ApiError(
            'NotFound',
            `${kind.toLowerCase()} "${name}" not found (resourceVersion was given)`,
          );
        }
        if (existing.metadata.resourceVersion !== resourceVersion) {
          throw new ApiError(
            'Conflict',
            `${kind.toLowerCase()} "${name}" was changed since you read it (resourceVersion ${existing.metadata.resourceVersion}, you sent ${resourceVersion}); get it again and reapply`,
          );
        }
      }
      if (existing?.metadata.deletionTimestamp) {
        throw new ApiError('Conflict', `${kind.toLowerCase()} "${name}" is being deleted`);
      }
      if (existing) {
        const specChanged = !isDeepStrictEqual(existing.spec, input.spec);
        const newLabels = labels ?? existing.metadata.labels;
        if (!specChanged && isDeepStrictEqual(newLabels, existing.metadata.labels)) return existing;
        const next = {
          ...existing,
          spec: input.spec,
          metadata: {
            ...existing.metadata,
            labels: newLabels,
            generation: existing.metadata.generation + (specChanged ? 1 : 0),
          },
        } as Resource;
        return this.put(next, 'MODIFIED');
      }
      const created = {
        kind,
        metadata: {
          name,
          uid: randomUUID(),
          generation: 1,
          resourceVersion: '',
          creationTimestamp: this.opts.now().toISOString(),
          finalizers: [],
          labels: labels ?? {},
        },
        spec: input.spec,
        status: kind === 'Environment' ? EnvironmentStatus.parse({}) : HostStatus.parse({}),
      } as Resource;
      return this.put(created, 'ADDED');
    });
  }

  /**
   * Replaces the observed status; spec and generation are untouched. No-op when equal. For a Host
   * (one writer: its controller); an Environment's writers patch their parts (patchEnvironmentStatus).
   */
  updateStatus<K extends Kind>(
    kind: K,
    name: string,
    status: Status<K>,
  ): Promise<Extract<Resource, { kind: K }>> {
    return this.serialise(async () => {
      const existing = this.mustGet(kind, name);
      if (isDeepStrictEqual(existing.status, status)) return existing;
      return this.put({ ...existing, status } as Resource, 'MODIFIED') as Promise<
        Extract<Resource, { kind: K }>
      >;
    });
  }

  /**
   * Applies `writer`'s patch to an Environment's status in the write order (see statusPatch.ts):
   * parts owned by different writers never overwrite each other, and phase follows the conditions.
   * No-op (undefined) when the object is gone or is another object of that name (`uid`); a
   * Conflict when `resourceVersion` is given and no longer current. No write when nothing changed.
   */
  patchEnvironmentStatus<W extends StatusWriter>(
    name: string,
    writer: W,
    patch: StatusPatch<W>,
    precondition: { uid?: string; resourceVersion?: string } = {},
  ): Promise<Environment | undefined> {
    return this.serialise(async () => {
      const existing = this.get('Environment', name);
      if (!existing || (precondition.uid !== undefined && existing.metadata.uid !== precondition.uid)) {
        return undefined;
      }
      if (
        precondition.resourceVersion !== undefined &&
        existing.metadata.resourceVersion !== precondition.resourceVersion
      ) {
        throw new ApiError(
          'Conflict',
          `environment "${name}" was changed since it was read (resourceVersion ${existing.metadata.resourceVersion}, expected ${precondition.resourceVersion})`,
        );
      }
      const status = applyStatusPatch(existing, writer, patch, this.opts.now(), this.opts.redact);
      if (isDeepStrictEqual(existing.status, status)) return existing;
      return (await this.put({ ...existing, status }, 'MODIFIED')) as Environment;
    });
  }

  /** Sets the finalizers; an object being deleted with none left is removed. */
  setFinalizers(kind: Kind, name: string, finalizers: string[]): Promise<Resource | undefined> {
    return this.serialise(async () => {
      const existing = this.get(kind, name);
      if (!existing) return undefined;
      if (existing.metadata.deletionTimestamp && finalizers.length === 0) {
        await this.remove(existing);
        return undefined;
      }
      if (isDeepStrictEqual(existing.metadata.finalizers, finalizers)) return existing;
      return this.put(
        { ...existing, metadata: { ...existing.metadata, finalizers } } as Resource,
        'MODIFIED',
      );
    });
  }

  /** Marks for deletion; removed at once when no finalizer must run first. */
  delete(kind: Kind, name: string, resourceVersion?: string): Promise<Resource> {
    return this.serialise(async () => {
      const existing = this.mustGet(kind, name);
      if (resourceVersion !== undefined && existing.metadata.resourceVersion !== resourceVersion) {
        throw new ApiError('Conflict', `${kind.toLowerCase()} "${name}" was changed since you read it`);
      }
      if (existing.metadata.finalizers.length === 0) {
        await this.remove(existing);
        return existing;
      }
      if (existing.metadata.deletionTimestamp) return existing;
      return this.put(
        {
          ...existing,
          metadata: { ...existing.metadata, deletionTimestamp: this.opts.now().toISOString() },
        } as Resource,
        'MODIFIED',
      );
    });
  }

  /**
   * Tells `listener` about changes. Without a resourceVersion it first gets every
   * current object as ADDED; with one, every change after it (or Expired if that is
   * older than the history kept).
   */
  watch(opts: { kind?: Kind; name?: string; resourceVersion?: string }, listener: WatchListener): () => void {
    const w: Watcher = { kind: opts.kind, name: opts.name, listener };
    const matches = (o: Resource) =>
      (!w.kind || o.kind === w.kind) && (!w.name || o.metadata.name === w.name);
    if (opts.resourceVersion !== undefined) {
      const from = Number(opts.resourceVersion);
      if (!Number.isInteger(from) || from < 0)
        throw new ApiError('BadRequest', 'resourceVersion must be a number');
      if (from < this.historyStart && from < this.rv) {
        throw new ApiError(
          'Expired',
          `resourceVersion ${from} is too old; list again and watch from the new version`,
        );
      }
      for (const e of this.history) {
        if (e.rv > from && matches(e.object))
          listener({ type: e.type, object: e.object, resourceVersion: String(e.rv) });
      }
    } else {
      for (const o of this.objects.values()) {
        if (matches(o)) listener({ type: 'ADDED', object: o, resourceVersion: o.metadata.resourceVersion });
      }
    }
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writeChain.catch(() => {});
    await this.journal.close();
    this.watchers.clear();
  }

  private serialise<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new ApiError('Unavailable', 'the store is closed'));
    const run = this.writeChain.then(fn, fn);
    this.writeChain = run.catch(() => {});
    return run;
  }

  private async put(object: Resource, type: 'ADDED' | 'MODIFIED'): Promise<Resource> {
    const rv = this.rv + 1;
    // The store owns what it holds: a private, frozen copy, so no caller can change it behind its back.
    const stored = deepFreeze(
      structuredClone({
        ...object,
        metadata: { ...object.metadata, resourceVersion: String(rv) },
      }) as Resource,
    );
    // Only once the record is durable do the version, memory and watchers move (a failed append
    // throws here and leaves all three as they were).
    await this.journal.append({ op: 'put', rv, object: stored });
    this.rv = rv;
    this.objects.set(key(stored.kind, stored.metadata.name), stored);
    this.emit({ type, object: stored }, rv);
    await this.maybeCompact();
    return stored;
  }

  private async remove(object: Resource): Promise<void> {
    const rv = this.rv + 1;
    await this.journal.append({ op: 'delete', rv, kind: object.kind, name: object.metadata.name });
    this.rv = rv;
    this.objects.delete(key(object.kind, object.metadata.name));
    const last = { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } } as Resource;
    this.emit({ type: 'DELETED', object: last }, rv);
    await this.maybeCompact();
  }

  private emit(event: WatchEvent, rv: number): void {
    this.history.push({ ...event, rv });
    if (this.history.length > this.opts.historySize) {
      const dropped = this.history.splice(0, this.history.length - this.opts.historySize);
      this.historyStart = dropped[dropped.length - 1]!.rv;
    }
    for (const w of this.watchers) {
      if ((w.kind && event.object.kind !== w.kind) || (w.name && event.object.metadata.name !== w.name))
        continue;
      try {
        w.listener({ ...event, resourceVersion: String(rv) });
      } catch (e) {
        this.opts.log(`store: a watcher failed: ${(e as Error).message}`);
      }
    }
  }

  /** Folds the journal into a snapshot; the snapshot is durable before the journal is emptied. */
  private async maybeCompact(): Promise<void> {
    if (this.journal.records < this.opts.compactAfter) return;
    const snapshot = encodeSnapshot(this.rv, [...this.objects.values()]);
    try {
      await writeFileAtomic(join(this.dir, SNAPSHOT_FILE), snapshot.text, 0o600);
      // The new journal starts by naming the snapshot it continues from.
      await this.journal.reset({ op: 'snapshot', rv: this.rv, sha256: snapshot.sha256 });
    } catch (e) {
      // The write that got here is durable in the journal: it succeeded. Compaction is tried again
      // after the next write.
      this.opts.log(`store: compaction failed: ${(e as Error).message}`);
    }
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
