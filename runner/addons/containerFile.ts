import type { Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';
import type { ContainerProvider } from '../providers/provider';

/**
 * Small state files inside a container (bookkeeping that must live and die with the container),
 * read and written through the engine's archive API: no process is started for them.
 */
export async function readContainerFile(
  provider: ContainerProvider,
  containerId: string,
  path: string,
): Promise<string | undefined> {
  const tar = await provider.getArchive(containerId, path);
  if (!tar) return undefined;
  let text: string | undefined;
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c) => chunks.push(c as Buffer));
    stream.on('end', () => {
      if (header.type === 'file' && text === undefined) text = Buffer.concat(chunks).toString('utf8');
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
  return text;
}

/** Writes `path` (absolute) owned by root with `mode`; the engine creates missing folders (0755). */
export async function writeContainerFile(
  provider: ContainerProvider,
  containerId: string,
  path: string,
  content: string,
  mode = 0o644,
): Promise<void> {
  const p = pack();
  // No entries for the folders: those would reset the mode and owner of existing ones.
  p.entry({ name: path.replace(/^\/+/, ''), mode }, content);
  p.finalize();
  await provider.putArchive(containerId, '/', p as unknown as Readable);
}
