import { readFile } from 'node:fs/promises';
import type { LocatedContainerRequest, RequestSource } from '../policy/containerRequest';
import type { ServiceContainerRequest } from './serviceRequest';

/** Where a key is written: the file and its line:col (1-based). */
export type KeyLocation = { file: string; line?: number; col?: number };

type Located = (service: string, key: string) => KeyLocation;

/**
 * Finds where `services.<service>.<key>` is written in the user's Compose files: the last file that
 * writes it (later files override earlier ones), else where the service is defined, else the first
 * file. Files that cannot be read or parsed only lose their positions.
 */
export async function composeKeyLocator(files: readonly string[]): Promise<Located> {
  const { LineCounter, parseDocument, isMap, isScalar } = await import('yaml');
  const docs = await Promise.all(
    files.map(async (file) => {
      try {
        const lineCounter = new LineCounter();
        const doc = parseDocument(await readFile(file, 'utf8'), { lineCounter });
        return { file, doc, lineCounter };
      } catch {
        return { file, doc: undefined, lineCounter: undefined };
      }
    }),
  );
  const keyAt = (d: (typeof docs)[number], path: string[]): KeyLocation | undefined => {
    if (!d.doc || !d.lineCounter) return undefined;
    const parent = d.doc.getIn(path.slice(0, -1), true);
    if (!isMap(parent)) return undefined;
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === path[path.length - 1]);
    const offset = pair && isScalar(pair.key) ? pair.key.range?.[0] : undefined;
    if (offset === undefined) return undefined;
    const pos = d.lineCounter.linePos(offset);
    return { file: d.file, line: pos.line, col: pos.col };
  };
  return (service, key) => {
    for (const d of [...docs].reverse()) {
      const at = keyAt(d, ['services', service, key]);
      if (at) return at;
    }
    for (const d of docs) {
      const at = keyAt(d, ['services', service]);
      if (at) return at;
    }
    return { file: files[0] ?? '' };
  };
}

/**
 * A Compose service's request as the host access policy reads it, one located request per property
 * (so each refusal points at its own line). Published ports are not here: devrig publishes them on
 * 127.0.0.1 (see composeOverride), which needs no consent.
 */
export function locateServiceRequest(r: ServiceContainerRequest, at: Located): LocatedContainerRequest[] {
  const name = r.provenance.name;
  const out: LocatedContainerRequest[] = [];
  const add = (key: string, request: LocatedContainerRequest['request'], written?: string) => {
    const source: RequestSource = {
      origin: 'compose',
      name,
      property: key,
      ...(written ? { written } : {}),
      ...at(name, key),
    };
    out.push({ request, source });
  };
  if (r.privileged) add('privileged', { privileged: true });
  if (r.capAdd.length) add('cap_add', { capAdd: r.capAdd });
  if (r.securityOpt.length) add('security_opt', { securityOpt: r.securityOpt });
  if (r.devices.length) add('devices', { devices: r.devices });
  if (r.network) add('network_mode', { networkMode: r.network }, r.network);
  if (r.pid) add('pid', { pidMode: r.pid }, r.pid);
  if (r.ipc) add('ipc', { ipcMode: r.ipc }, r.ipc);
  if (r.uts) add('uts', { utsMode: r.uts }, r.uts);
  if (r.userns) add('userns_mode', { usernsMode: r.userns }, r.userns);
  if (r.bindMounts.length) {
    add('volumes', {
      mounts: r.bindMounts.map((m) => ({ type: 'bind', source: m.source, target: m.target })),
    });
  }
  return out;
}
