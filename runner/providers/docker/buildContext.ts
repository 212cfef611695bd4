import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, readlink, realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import ignore from '@balena/dockerignore';
import { pack } from 'tar-stream';

export interface BuildInputs {
  context: string;
  dockerfile: string;
  args: Record<string, string>;
  target?: string;
}

interface ContextFile {
  rel: string;
  abs: string;
  mode: number;
  size: number;
  mtimeMs: number;
  /** A symbolic link: its target as written. Sent as a link, never followed (as docker build does). */
  link?: string;
}

/** Name the Dockerfile gets inside the tar when it lives outside the context. */
export const OUTSIDE_DOCKERFILE = '.devrig.Dockerfile';

/** Files of a build context, minus what .dockerignore excludes, sorted. */
export async function contextFiles(context: string): Promise<ContextFile[]> {
  const ig = ignore();
  try {
    ig.add((await readFile(join(context, '.dockerignore'), 'utf8')).split(/\r?\n/));
  } catch {
    /* no .dockerignore */
  }
  const out: ContextFile[] = [];
  const walk = async (dir: string) => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const abs = join(dir, e.name);
      const rel = relative(context, abs).split(sep).join('/');
      if (ig.ignores(rel) && rel !== '.dockerignore') {
        if (!e.isDirectory()) continue;
        // A directory may hold re-included files (`!dir/keep`); only skip it when no rule does.
        if (!ignoreHasNegations(ig)) continue;
      }
      if (e.isDirectory()) await walk(abs);
      else if (e.isSymbolicLink()) {
        const link = await readlink(abs).catch(() => undefined);
        if (link !== undefined) out.push({ rel, abs, mode: 0o777, size: 0, mtimeMs: 0, link });
      } else if (e.isFile()) {
        const s = await stat(abs).catch(() => undefined);
        if (s?.isFile()) out.push({ rel, abs, mode: s.mode & 0o777, size: s.size, mtimeMs: s.mtimeMs });
      }
    }
  };
  await walk(context);
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

const negationCache = new WeakMap<object, boolean>();
function ignoreHasNegations(ig: object): boolean {
  const cached = negationCache.get(ig);
  if (cached !== undefined) return cached;
  const rules = (ig as { _rules?: { negative?: boolean }[] })._rules ?? [];
  const has = rules.some((r) => r.negative);
  negationCache.set(ig, has);
  return has;
}

/**
 * File content hashes by path, per build context, reused while a file's size, mtime and mode stay
 * the same. Each walk of a context keeps only the files it saw (deleted or newly ignored files are
 * dropped); the contexts hashed longest ago are dropped past `maxContexts`.
 */
export class FileHashCache {
  private readonly contexts = new Map<string, Map<string, { key: string; hash: string }>>();

  constructor(private readonly maxContexts = 32) {}

  /** Hashes `files` of `context` (in order), reusing what is unchanged since its last walk. */
  async hashes(context: string, files: readonly ContextFile[]): Promise<string[]> {
    const before = this.contexts.get(context);
    const now = new Map<string, { key: string; hash: string }>();
    const out: string[] = [];
    for (const f of files) {
      const key = f.link !== undefined ? `link:${f.link}` : `${f.size}:${f.mtimeMs}:${f.mode}`;
      const cached = before?.get(f.abs);
      const hash =
        cached?.key === key
          ? cached.hash
          : f.link !== undefined
            ? createHash('sha256').update(`link\0${f.link}`).digest('hex')
            : await hashFile(f.abs);
      now.set(f.abs, { key, hash });
      out.push(hash);
    }
    this.contexts.delete(context);
    this.contexts.set(context, now);
    for (const oldest of this.contexts.keys()) {
      if (this.contexts.size <= this.maxContexts) break;
      this.contexts.delete(oldest);
    }
    return out;
  }

  /** How many files' hashes are kept (all contexts). */
  get size(): number {
    let n = 0;
    for (const m of this.contexts.values()) n += m.size;
    return n;
  }
}

async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

const defaultFileHashes = new FileHashCache();

/**
 * A content hash of everything that goes into a build: the Dockerfile, every
 * context file (path, mode, content), args and target. Same inputs → same tag →
 * no rebuild. File hashes are memoised by size+mtime so a resync stays cheap.
 */
export async function buildInputsHash(inputs: BuildInputs, cache = defaultFileHashes): Promise<string> {
  const h = createHash('sha256');
  h.update('dockerfile\0');
  h.update(await readFile(inputs.dockerfile));
  h.update('\0args\0' + JSON.stringify(Object.entries(inputs.args).sort()));
  h.update('\0target\0' + (inputs.target ?? ''));
  const files = await contextFiles(inputs.context);
  const hashes = await cache.hashes(inputs.context, files);
  files.forEach((f, i) => h.update(`\0${f.rel}\0${f.mode}\0${hashes[i]}`));
  return h.digest('hex');
}

/** A build context that would take something from outside it. */
export class BuildContextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildContextError';
  }
}

/**
 * Refuses links leading out of the context: docker build sends links as links and its daemon never
 * follows one out of the context, so a COPY through one fails there; here it fails before anything
 * is sent, naming the link (one that is not needed can go in .dockerignore).
 */
export async function refuseLinksLeaving(context: string, files: readonly ContextFile[]): Promise<void> {
  const root = await realpath(context);
  for (const f of files) {
    if (f.link === undefined) continue;
    const target = resolve(root, dirname(f.rel), f.link);
    const rel = relative(root, target);
    if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new BuildContextError(
        `build context ${context}: ${f.rel} is a symbolic link to ${f.link}, outside the context; ` +
          'devrig does not send links that leave the build context (remove it, or add it to .dockerignore)',
      );
    }
  }
}

/** The build context as a tar stream, with the Dockerfile added when it is outside. */
export async function packContext(inputs: BuildInputs): Promise<{ tar: Readable; dockerfileInTar: string }> {
  const files = await contextFiles(inputs.context);
  await refuseLinksLeaving(inputs.context, files);
  const relDockerfile = relative(inputs.context, inputs.dockerfile).split(sep).join('/');
  const inside =
    !relDockerfile.startsWith('..') && files.some((f) => f.rel === relDockerfile && f.link === undefined);
  const p = pack();
  void (async () => {
    try {
      for (const f of files) {
        if (f.link !== undefined) {
          p.entry({ name: f.rel, type: 'symlink', linkname: f.link, mode: 0o777, mtime: new Date(0) });
          continue;
        }
        await new Promise<void>((resolve, reject) => {
          const entry = p.entry({ name: f.rel, size: f.size, mode: f.mode, mtime: new Date(0) }, (err) =>
            err ? reject(err) : resolve(),
          );
          createReadStream(f.abs).on('error', reject).pipe(entry);
        });
      }
      if (!inside) {
        p.entry(
          { name: OUTSIDE_DOCKERFILE, mode: 0o644, mtime: new Date(0) },
          await readFile(inputs.dockerfile),
        );
      }
      p.finalize();
    } catch (e) {
      p.destroy(e as Error);
    }
  })();
  return { tar: p as unknown as Readable, dockerfileInTar: inside ? relDockerfile : OUTSIDE_DOCKERFILE };
}
