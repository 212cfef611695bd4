import type { Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';
import type { ContainerProvider } from '../../providers/provider';

/**
 * Lifecycle markers live in the container (so "once per container" holds through
 * runner restarts and is lost with the container). They are read and written through
 * the engine's archive API: one request, no process started in the container.
 */
export const MARKER_DIR = '/var/lib/devrig/markers';

export type Markers = Record<string, string>;

export async function readMarkers(provider: ContainerProvider, containerId: string): Promise<Markers> {
  const tar = await provider.getArchive(containerId, MARKER_DIR);
  if (!tar) return {};
  const out: Markers = {};
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c) => chunks.push(c as Buffer));
    stream.on('end', () => {
      if (header.type === 'file') out[header.name.split('/').pop()!] = Buffer.concat(chunks).toString('utf8');
      next();
    });
    stream.resume();
  });
  await new Promise<void>((resolve, reject) => {
    ex.on('finish', resolve);
    ex.on('error', reject);
    tar.on('error', reject);
    tar.pipe(ex);
  });
  return out;
}

export async function writeMarkers(
  provider: ContainerProvider,
  containerId: string,
  markers: Markers,
): Promise<void> {
  const p = pack();
  p.entry({ name: 'var/lib/devrig/', type: 'directory', mode: 0o755 });
  p.entry({ name: 'var/lib/devrig/markers/', type: 'directory', mode: 0o755 });
  for (const [name, value] of Object.entries(markers)) {
    p.entry({ name: `var/lib/devrig/markers/${name}`, mode: 0o644 }, value);
  }
  p.finalize();
  await provider.putArchive(containerId, '/', p as unknown as Readable);
}
