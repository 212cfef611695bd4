import { createHash } from 'node:crypto';
import { mkdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerProvider } from '../../providers/provider';
import { readContainerFolder, writeContainerFiles } from '../../providers/containerFile';
import { writeFileAtomic } from '../../state/privateFile';

/**
 * What devrig did in a container (lifecycle commands run, workspace filled, dotfiles installed):
 * "once per container" holds through runner restarts and ends with the container. Independent
 * writers (the reconciler, the dotfiles installer) each write their own keys.
 *
 * Kept in the runner's state folder, one file per container (by its id, which a new container never
 * shares): reading or writing them asks nothing of the engine. Written into the container instead
 * (older runners did, and a store made without a folder still does), they cost an archive call
 * each, and the engine starts a process of its own for every one. Markers an older runner left in a
 * container are read from there once and kept here from then on.
 */
export const MARKER_DIR = '/var/lib/devrig/markers';

export type Markers = Record<string, string>;

/** The markers inside the container (older runners' place for them). */
export function readMarkers(provider: ContainerProvider, containerId: string): Promise<Markers> {
  return readContainerFolder(provider, containerId, MARKER_DIR);
}

export function writeMarkers(
  provider: ContainerProvider,
  containerId: string,
  markers: Markers,
): Promise<void> {
  const files: Record<string, string> = {};
  for (const [name, value] of Object.entries(markers)) files[`${MARKER_DIR}/${name}`] = value;
  return writeContainerFiles(provider, containerId, files);
}

export class MarkerStore {
  private readonly byContainer = new Map<string, Markers>();
  /** Writes of one container's file, in order. */
  private readonly writes = new Map<string, Promise<unknown>>();

  /** `dir`: the runner's private folder for them; without one, they live in the containers. */
  constructor(private readonly dir?: string) {}

  /** The markers of container `id` (read the first time). Changes are written with write(). */
  async get(provider: ContainerProvider, id: string): Promise<Markers> {
    const key = this.key(provider, id);
    let m = this.byContainer.get(key);
    if (!m) {
      const kept = await this.readFile(key);
      const found = kept ?? (await readMarkers(provider, id));
      // Unless this runner learnt better meanwhile.
      m = this.byContainer.get(key) ?? found;
      this.byContainer.set(key, m);
      // An older runner's, from the container: kept here from now on.
      if (!kept && this.dir && Object.keys(found).length > 0) await this.write(provider, id, {});
    }
    return m;
  }

  /** Sets `changes` (other keys stay) and makes them durable. */
  async write(provider: ContainerProvider, id: string, changes: Markers): Promise<void> {
    const key = this.key(provider, id);
    const base = await this.get(provider, id);
    // Merged with what is current after the wait: writers at the same time keep each other's keys.
    const m = { ...(this.byContainer.get(key) ?? base), ...changes };
    this.byContainer.set(key, m);
    if (!this.dir) return writeMarkers(provider, id, changes);
    const dir = this.dir;
    const run = (this.writes.get(key) ?? Promise.resolve()).then(async () => {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // What is current when this write runs: a later change is never overwritten by an older one.
      await writeFileAtomic(this.path(key), JSON.stringify(this.byContainer.get(key) ?? m), 0o600);
    });
    const settled = run.catch(() => {});
    this.writes.set(key, settled);
    void settled.then(() => this.writes.get(key) === settled && this.writes.delete(key));
    await run;
  }

  /** A container just created has none: no need to look. */
  created(provider: ContainerProvider, id: string): void {
    this.byContainer.set(this.key(provider, id), {});
  }

  /** The container is gone (or going): its markers go too. */
  async forget(provider: ContainerProvider, id: string): Promise<void> {
    const key = this.key(provider, id);
    this.byContainer.delete(key);
    if (!this.dir) return;
    await (this.writes.get(key) ?? Promise.resolve());
    await unlink(this.path(key)).catch(() => {});
  }

  /** Drops what is remembered (markers written elsewhere are read again). */
  uncache(provider: ContainerProvider, id: string): void {
    this.byContainer.delete(this.key(provider, id));
  }

  private key(provider: ContainerProvider, id: string): string {
    return `${provider.name}/${id}`;
  }

  private path(key: string): string {
    // Hashed: a host's name or a plain host's record id need not be a valid file name.
    return join(this.dir!, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  }

  private async readFile(key: string): Promise<Markers | undefined> {
    if (!this.dir) return undefined;
    let text: string;
    try {
      text = await readFile(this.path(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return Object.fromEntries(
          Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'),
        );
      }
    } catch {
      /* a damaged file: the container's own markers, if any, decide */
    }
    return undefined;
  }
}
