import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pack } from 'tar-stream';

/** A whole folder (dotfiles, .git, symlinks) as a tar stream rooted at `prefix`. */
export function tarFolder(root: string, prefix: string): Readable {
  const p = pack();
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const abs = join(dir, e.name);
      const name = join(prefix, relative(root, abs)).split(sep).join('/');
      const s = await lstat(abs);
      if (s.isDirectory()) {
        p.entry({ name, type: 'directory', mode: s.mode & 0o7777, mtime: s.mtime });
        await walk(abs);
      } else if (s.isSymbolicLink()) {
        p.entry({ name, type: 'symlink', linkname: await readlink(abs), mode: 0o777, mtime: s.mtime });
      } else if (s.isFile()) {
        await new Promise<void>((resolve, reject) => {
          const entry = p.entry({ name, size: s.size, mode: s.mode & 0o7777, mtime: s.mtime }, (err) =>
            err ? reject(err) : resolve(),
          );
          createReadStream(abs).on('error', reject).pipe(entry);
        });
      }
    }
  };
  void (async () => {
    try {
      p.entry({ name: prefix, type: 'directory', mode: 0o755 });
      await walk(root);
      p.finalize();
    } catch (e) {
      p.destroy(e as Error);
    }
  })();
  return p as unknown as Readable;
}
