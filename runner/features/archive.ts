import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';

/** An archive that cannot be unpacked safely. */
export class ArchiveError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ArchiveError';
  }
}

function isGzip(data: Buffer): boolean {
  return data.length > 2 && data[0] === 0x1f && data[1] === 0x8b;
}

/** `./a/b` → `a/b`; undefined for the root itself. Throws on anything that would leave the folder. */
function safeName(name: string, what: string): string | undefined {
  const normalized = path.posix
    .normalize(name.replace(/\\/g, '/'))
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '');
  if (normalized === '' || normalized === '.') return undefined;
  if (normalized.startsWith('/') || normalized === '..' || normalized.startsWith('../')) {
    throw new ArchiveError(`${what}: the entry "${name}" would be written outside the Feature's folder`);
  }
  return normalized;
}

/**
 * Unpacks a Feature archive (tar, or gzipped tar: the spec allows both) into `folder`. Files and folders
 * only, modes kept; links and devices are skipped (Features are scripts and data), and no entry may
 * point outside `folder`. Returns the files written.
 */
export async function extractFeatureArchive(data: Buffer, folder: string, what: string): Promise<string[]> {
  let tar: Buffer;
  try {
    tar = isGzip(data) ? gunzipSync(data) : data;
  } catch (error) {
    throw new ArchiveError(`${what}: the archive is not a valid gzip file`, { cause: error });
  }
  await mkdir(folder, { recursive: true });
  const files: string[] = [];
  const unpack = extract();
  const done = (async () => {
    for await (const entry of unpack) {
      const header = entry.header;
      const name = safeName(header.name, what);
      if (name !== undefined && header.type === 'directory') {
        await mkdir(path.join(folder, name), { recursive: true });
      } else if (name !== undefined && header.type === 'file') {
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        const target = path.join(folder, name);
        await mkdir(path.dirname(target), { recursive: true });
        await writeFile(target, Buffer.concat(chunks), { mode: (header.mode ?? 0o644) & 0o777 });
        files.push(name);
        continue;
      }
      entry.resume();
    }
  })();
  unpack.end(tar);
  try {
    await done;
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    throw new ArchiveError(`${what}: the archive is not a valid tar file: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return files.sort();
}
