import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { extractFeatureArchive } from './archive';

const DIGEST = /^sha256:([a-f0-9]{64})$/;

function digestName(digest: string): string {
  const hex = DIGEST.exec(digest)?.[1];
  if (!hex) throw new Error(`not a sha256 digest: ${digest}`);
  return `sha256-${hex}`;
}

/**
 * Downloads kept by digest (content-addressed, so never stale): OCI manifests, and unpacked Feature
 * archives (OCI layers and tarballs). Everything appears by rename, so a reader sees a whole entry or
 * none, and two resolutions racing for the same digest both end up with the same content.
 */
export class FeatureCache {
  constructor(readonly dir: string) {}

  private manifestFile(digest: string): string {
    return path.join(this.dir, 'manifests', `${digestName(digest)}.json`);
  }

  /** The unpacked archive with this digest (it may not exist yet). */
  folderFor(digest: string): string {
    return path.join(this.dir, 'features', digestName(digest));
  }

  async readManifest(digest: string): Promise<Buffer | undefined> {
    return readFile(this.manifestFile(digest)).catch(() => undefined);
  }

  async writeManifest(digest: string, body: Buffer): Promise<void> {
    const file = this.manifestFile(digest);
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, body);
    await rename(temp, file);
  }

  async hasFolder(digest: string): Promise<boolean> {
    return (await stat(this.folderFor(digest)).catch(() => undefined))?.isDirectory() ?? false;
  }

  /** Unpacks an archive under its digest (unless already there); returns the folder. */
  async storeArchive(digest: string, data: Buffer, what: string): Promise<string> {
    const folder = this.folderFor(digest);
    if (await this.hasFolder(digest)) return folder;
    const temp = `${folder}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await extractFeatureArchive(data, temp, what);
      await rename(temp, folder).catch(async (error: NodeJS.ErrnoException) => {
        // Another resolution stored it first: same digest, same content.
        if (!(await this.hasFolder(digest))) throw error;
      });
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
    return folder;
  }
}
