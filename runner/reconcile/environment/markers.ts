import type { ContainerProvider } from '../../providers/provider';
import { readContainerFolder, writeContainerFiles } from '../../providers/containerFile';

/**
 * Lifecycle markers live in the container (so "once per container" holds through runner
 * restarts and is lost with the container), one file per marker so independent writers (the
 * reconciler, the dotfiles installer) never overwrite each other; read and written through the
 * engine's archive API, so no process is started for them.
 */
export const MARKER_DIR = '/var/lib/devrig/markers';

export type Markers = Record<string, string>;

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

/**
 * The markers of each container as last read or written by this runner, so a reconcile does not
 * read them from the container every time.
 */
export class MarkerCache {
  private readonly byContainer = new Map<string, Markers>();

  /** The markers of container `id` (read from it the first time). Changes are the caller's to write. */
  async get(provider: ContainerProvider, id: string): Promise<Markers> {
    let m = this.byContainer.get(id);
    if (!m) {
      m = await readMarkers(provider, id);
      this.byContainer.set(id, m);
    }
    return m;
  }

  /** A container just created has none: no need to look. */
  created(id: string): void {
    this.byContainer.set(id, {});
  }

  forget(id: string): void {
    this.byContainer.delete(id);
  }
}
