import type { Readable } from 'node:stream';
import { extract, pack } from 'tar-stream';
import type { ContainerProvider } from './provider';

/**
 * Small state files inside a container (bookkeeping that must live and die with the container),
 * read and written through the engine's archive API: no process is started for them.
 */
export async function readContainerFile(
  provider: ContainerProvider,
  containerId: string,
  path: string,
  /** Past this many bytes the rest is read and dropped: the text ends up one byte longer than this. */
  maxBytes?: number,
): Promise<string | undefined> {
  const files = await readArchiveFiles(provider, containerId, path, maxBytes);
  return files?.values().next().value;
}

/** Every file in folder `path`, by name (not recursive into the names: basenames as keys). */
export async function readContainerFolder(
  provider: ContainerProvider,
  containerId: string,
  path: string,
): Promise<Record<string, string>> {
  const files = await readArchiveFiles(provider, containerId, path);
  const out: Record<string, string> = {};
  for (const [name, text] of files ?? []) out[name.split('/').pop()!] = text;
  return out;
}

async function readArchiveFiles(
  provider: ContainerProvider,
  containerId: string,
  path: string,
  maxBytes = Infinity,
): Promise<Map<string, string> | undefined> {
  const tar = await provider.getArchive(containerId, path);
  if (!tar) return undefined;
  const files = new Map<string, string>();
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    stream.on('data', (data) => {
      // A file in the container is input: whatever its size, no more than maxBytes + 1 is held.
      if (kept > maxBytes) return;
      const piece = (data as Buffer).subarray(0, maxBytes + 1 - kept);
      chunks.push(piece);
      kept += piece.length;
    });
    stream.on('end', () => {
      if (header.type === 'file') files.set(header.name, Buffer.concat(chunks).toString('utf8'));
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
  return files;
}

/** Writes `path` (absolute) owned by root with `mode`; the engine creates missing folders (0755). */
export function writeContainerFile(
  provider: ContainerProvider,
  containerId: string,
  path: string,
  content: string,
  mode = 0o644,
): Promise<void> {
  return writeContainerFiles(provider, containerId, { [path]: content }, mode);
}

/** Several files in one request; files not named are left as they are. */
export async function writeContainerFiles(
  provider: ContainerProvider,
  containerId: string,
  files: Record<string, string>,
  mode = 0o644,
): Promise<void> {
  const p = pack();
  // No entries for the folders: those would reset the mode and owner of existing ones.
  for (const [path, content] of Object.entries(files))
    p.entry({ name: path.replace(/^\/+/, ''), mode }, content);
  p.finalize();
  await provider.putArchive(containerId, '/', p as unknown as Readable);
}
