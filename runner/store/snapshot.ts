import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { StoreDamagedError } from './storeDamage';

export type Snapshot = { rv: number; objects: unknown[]; sha256: string };

/**
 * snapshot.json is JSON people can read, written in a fixed shape so its checksum can be checked
 * over exactly the bytes written: `{"format":2,"rv":N,"sha256":"…","objects":[…]}`, the sha256
 * being that of the objects array's text.
 */
const HEADER = /^\{"format":2,"rv":(\d+),"sha256":"([0-9a-f]{64})","objects":/;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function encodeSnapshot(rv: number, objects: readonly unknown[]): { text: string; sha256: string } {
  const body = JSON.stringify(objects);
  const sum = sha256(body);
  return { text: `{"format":2,"rv":${rv},"sha256":"${sum}","objects":${body}}\n`, sha256: sum };
}

/**
 * The snapshot at `path`; undefined when there is none. A file that is empty, cut short, changed or
 * not a snapshot is a StoreDamagedError: it is never taken for an empty store.
 */
export async function readSnapshot(path: string): Promise<Snapshot | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return decodeSnapshot(text, path);
}

export function decodeSnapshot(text: string, file: string): Snapshot {
  if (text.length === 0) throw new StoreDamagedError(file, 'the file is empty (0 bytes)', 0);
  const header = HEADER.exec(text);
  if (!header) return decodeLegacy(text, file);
  const end = text.endsWith('}\n') ? text.length - 2 : text.endsWith('}') ? text.length - 1 : -1;
  const body = end < 0 ? '' : text.slice(header[0].length, end);
  if (end < 0 || sha256(body) !== header[2]) {
    throw new StoreDamagedError(
      file,
      `checksum mismatch over bytes ${Buffer.byteLength(header[0])}–${Buffer.byteLength(text)} (the file was cut short or changed after it was written)`,
      Buffer.byteLength(header[0]),
    );
  }
  const objects = JSON.parse(body) as unknown;
  if (!Array.isArray(objects)) throw new StoreDamagedError(file, 'its objects are not a list', 0);
  return { rv: Number(header[1]), objects, sha256: header[2]! };
}

/** Snapshots written before they had a checksum: only their JSON can be checked. */
function decodeLegacy(text: string, file: string): Snapshot {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    // V8 says where: "… in JSON at position 123" (character offset).
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    const offset = at === undefined ? undefined : Buffer.byteLength(text.slice(0, Number(at)));
    const where = offset === undefined ? '' : ` at byte ${offset}`;
    const zeros = /^\0+$/.test(text) ? ' (it holds only zero bytes)' : '';
    throw new StoreDamagedError(file, `not valid JSON${where}${zeros} (cut short or damaged)`, offset, {
      cause: e,
    });
  }
  const snap = parsed as { rv?: unknown; objects?: unknown };
  if (!Number.isInteger(snap?.rv) || !Array.isArray(snap?.objects)) {
    throw new StoreDamagedError(file, 'not a snapshot (it needs "rv" and "objects")', 0);
  }
  return { rv: snap.rv as number, objects: snap.objects, sha256: sha256(JSON.stringify(snap.objects)) };
}
