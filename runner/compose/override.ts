import type { Mount } from '../devcontainer';
import type { ComposeModel, ComposeService } from './composeModel';

/** Label naming the Compose service a container belongs to, in devrig's own words. */
export const COMPOSE_SERVICE_LABEL = 'devrig.compose-service';

/** What devcontainer.json (and, later, Features) adds to the dev service, as the reference does. */
export interface DevServiceSettings {
  containerEnv: Record<string, string>;
  containerUser?: string;
  init?: boolean;
  privileged?: boolean;
  capAdd?: string[];
  securityOpt?: string[];
  /** devcontainer.json `mounts` (and Features' mounts). */
  mounts: Mount[];
  /** Default false for Compose: the service's own command runs. */
  overrideCommand: boolean;
  /** An image devrig made for the service (with Features, or with the remote user's UID changed). */
  image?: string;
  /** Feature entrypoints, run before the service's own command. */
  entrypoints?: string[];
  /** The image's ENTRYPOINT and CMD: needed to keep the service's command when entrypoints run first. */
  imageCommand?: { entrypoint: string[]; cmd: string[] };
  /** Every GPU of the host (hostRequirements.gpu, when the engine has a GPU runtime). */
  gpus?: boolean;
  /** The environment's budgets, applied to the dev service (CPUs, bytes of memory, processes). */
  resources?: { cpus: number; memoryBytes: number; pids: number };
  /** Labels only the dev service carries (workspace folder, remote user, devcontainer.*). */
  labels: Record<string, string>;
}

export interface OverrideInput {
  model: ComposeModel;
  devService: string;
  /** devrig's labels, put on every service's container (managed, runner, environment, uid, hashes). */
  labels: Record<string, string>;
  dev: DevServiceSettings;
  /**
   * For an engine on another machine: bind mounts of the local source folder become this volume
   * (devrig-created, filled with the folder), in every service.
   */
  workspaceVolume?: { folder: string; volume: string };
}

export interface ComposeOverride {
  /** The override file's content: JSON (which Compose reads as YAML), with `!override` tags where a list is replaced. */
  document: Record<string, unknown>;
  text: string;
  /** Bind mounts under the source folder that cannot be carried to another machine (service: source). */
  unmappable: string[];
  /** Ports the Compose files publish on every address, published on 127.0.0.1 instead (one note each). */
  rebound: string[];
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * A service's published ports with every one on 127.0.0.1, as devrig publishes appPort: nothing is
 * reachable from other machines that the user did not ask for by address. Undefined when all are
 * already on loopback.
 */
function loopbackPorts(name: string, service: ComposeService, notes: string[]): unknown[] | undefined {
  const ports = service.ports ?? [];
  if (ports.every((p) => p.host_ip && LOOPBACK.has(p.host_ip))) return undefined;
  return ports.map((p, i) => {
    if (p.host_ip && LOOPBACK.has(p.host_ip)) return p;
    const published = p.published !== undefined && p.published !== '' ? `${p.published}:` : '';
    notes.push(
      `services.${name}.ports[${i}] "${published}${p.target}" is published on 127.0.0.1 instead of ${p.host_ip || 'every address'}`,
    );
    return { ...p, host_ip: '127.0.0.1' };
  });
}

/** What composeOverride says about the ports it publishes on 127.0.0.1 instead (see loopbackPorts). Pure. */
export function publishedPortNotes(model: ComposeModel): string[] {
  const notes: string[] = [];
  for (const [name, service] of Object.entries(model.services)) loopbackPorts(name, service, notes);
  return notes;
}

/** Compose merges `ports` lists of later files into earlier ones: a replacement says `!override`. */
function withOverrideTags(json: string): string {
  return json.replace(/^(\s*)"ports": \[/gm, '$1"ports": !override [');
}

/** Ends promptly on SIGTERM; with arguments, runs them (the service's own command) after the entrypoints. */
function startScript(entrypoints: readonly string[], keepAlive: boolean): string {
  return [
    'echo Container started',
    'trap "exit 0" TERM',
    ...entrypoints,
    ...(keepAlive ? [] : ['exec "$@"']),
    'while sleep 1000 & wait $!; do :; done',
  ].join('\n');
}

/** Compose interpolates `$` in every file, this one too: a literal `$` is written `$$`. */
function escapeDollars<T>(value: T): T {
  if (typeof value === 'string') return value.replace(/\$/g, '$$$$') as T;
  if (Array.isArray(value)) return value.map(escapeDollars) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDollars(v as unknown)])) as T;
  }
  return value;
}

function volumeEntry(m: Mount): Record<string, unknown> {
  return {
    type: m.type,
    ...(m.source ? { source: m.source } : {}),
    target: m.target,
    ...(m.readOnly ? { read_only: true } : {}),
  };
}

function isUnder(file: string, folder: string): boolean {
  const base = folder.endsWith('/') ? folder : `${folder}/`;
  return file === folder || file.startsWith(base);
}

function devCommand(service: ComposeService, dev: DevServiceSettings): Record<string, unknown> {
  const entrypoints = dev.entrypoints ?? [];
  if (dev.overrideCommand) {
    return { entrypoint: ['/bin/sh', '-c', startScript(entrypoints, true), '-'], command: [] };
  }
  if (entrypoints.length === 0) return {};
  if (!dev.imageCommand && !service.entrypoint) {
    throw new Error("the dev service's image ENTRYPOINT/CMD are needed to run Feature entrypoints before it");
  }
  // Compose's rule: an entrypoint set in the file drops the image's CMD unless the file sets a command.
  const entrypoint = service.entrypoint ?? dev.imageCommand?.entrypoint ?? [];
  const command = service.command ?? (service.entrypoint ? [] : (dev.imageCommand?.cmd ?? []));
  return { entrypoint: ['/bin/sh', '-c', startScript(entrypoints, false), '-', ...entrypoint], command };
}

/**
 * The override file devrig adds after the user's Compose files: its labels on every service (so
 * labels stay the truth for adoption and drift), and on the dev service what devcontainer.json asks
 * for. The workspace is never mounted here (the Compose file does that, as in the reference). Pure.
 */
export function composeOverride(input: OverrideInput): ComposeOverride {
  const { model, devService, dev } = input;
  const services: Record<string, Record<string, unknown>> = {};
  const topVolumes: Record<string, unknown> = {};
  const unmappable: string[] = [];
  const rebound: string[] = [];
  for (const [name, service] of Object.entries(model.services)) {
    const entry: Record<string, unknown> = { labels: { ...input.labels, [COMPOSE_SERVICE_LABEL]: name } };
    const ports = loopbackPorts(name, service, rebound);
    if (ports) entry.ports = ports;
    const ws = input.workspaceVolume;
    if (ws) {
      const replaced = (service.volumes ?? []).flatMap((v) => {
        if (v.type !== 'bind' || !v.source || !isUnder(v.source, ws.folder)) return [];
        if (v.source !== ws.folder) {
          unmappable.push(`${name}: ${v.source}`);
          return [];
        }
        return [
          {
            type: 'volume',
            source: ws.volume,
            target: v.target,
            ...(v.read_only ? { read_only: true } : {}),
          },
        ];
      });
      if (replaced.length > 0) {
        entry.volumes = replaced;
        topVolumes[ws.volume] = { name: ws.volume, external: true };
      }
    }
    services[name] = entry;
  }
  const devEntry = services[devService];
  const service = model.services[devService];
  if (!devEntry || !service) throw new Error(`service "${devService}" is not in the Compose project`);
  devEntry.labels = { ...(devEntry.labels as Record<string, string>), ...dev.labels, ...input.labels };
  Object.assign(devEntry, devCommand(service, dev));
  if (dev.image) devEntry.image = dev.image;
  if (dev.containerUser) devEntry.user = dev.containerUser;
  if (Object.keys(dev.containerEnv).length > 0) devEntry.environment = { ...dev.containerEnv };
  if (dev.init) devEntry.init = true;
  if (dev.privileged) devEntry.privileged = true;
  if (dev.capAdd?.length) devEntry.cap_add = [...dev.capAdd];
  if (dev.securityOpt?.length) devEntry.security_opt = [...dev.securityOpt];
  if (dev.mounts.length > 0) {
    devEntry.volumes = [...((devEntry.volumes as unknown[]) ?? []), ...dev.mounts.map(volumeEntry)];
    for (const m of dev.mounts) {
      // Named volumes must be declared; Compose names them `<project>_<name>`, as for the reference.
      if (m.type === 'volume' && m.source && !Object.hasOwn(model.volumes ?? {}, m.source))
        topVolumes[m.source] = {};
    }
  }
  if (dev.resources) {
    devEntry.cpus = dev.resources.cpus;
    devEntry.mem_limit = dev.resources.memoryBytes;
    // Swap capped at the memory budget, as for a single container.
    devEntry.memswap_limit = dev.resources.memoryBytes;
    devEntry.pids_limit = dev.resources.pids;
  }
  if (dev.gpus) {
    devEntry.deploy = { resources: { reservations: { devices: [{ capabilities: ['gpu'], count: 'all' }] } } };
  }
  const document: Record<string, unknown> = escapeDollars({
    services,
    ...(Object.keys(topVolumes).length > 0 ? { volumes: topVolumes } : {}),
  });
  return { document, text: `${withOverrideTags(JSON.stringify(document, null, 2))}\n`, unmappable, rebound };
}
