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
