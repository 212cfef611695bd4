// Image metadata, both directions (the Dev Container spec's "merge logic", as the reference implements it
// in imageMetadata.ts): the base image's `devcontainer.metadata` label, one entry per Feature and one for
// devcontainer.json merge into what the container needs; the same entries, as a JSON array, label the image
// devrig builds. Pure.
import { CONFIG_ORIGIN, normalizeLifecycleCommand, type LifecycleStep } from '../devcontainer/lifecycle';
import type { FeatureMetadata } from './featureMetadata';

export const METADATA_LABEL = 'devcontainer.metadata';

/** One element of a `devcontainer.metadata` array. Feature entries carry the Feature's `id`. */
export type MetadataEntry = Record<string, unknown> & { id?: string };

/** What a Feature's metadata contributes to the image's (the reference's list). */
export const FEATURE_METADATA_PROPERTIES = [
  'onCreateCommand',
  'updateContentCommand',
  'postCreateCommand',
  'postStartCommand',
  'postAttachCommand',
  'init',
  'privileged',
  'capAdd',
  'securityOpt',
  'entrypoint',
  'mounts',
  'customizations',
] as const;

/** What devcontainer.json contributes (the reference's list). */
export const CONFIG_METADATA_PROPERTIES = [
  'onCreateCommand',
  'updateContentCommand',
  'postCreateCommand',
  'postStartCommand',
  'postAttachCommand',
  'waitFor',
  'customizations',
  'mounts',
  'containerEnv',
  'containerUser',
  'init',
  'privileged',
  'capAdd',
  'securityOpt',
  'remoteUser',
  'userEnvProbe',
  'remoteEnv',
  'overrideCommand',
  'portsAttributes',
  'otherPortsAttributes',
  'forwardPorts',
  'shutdownAction',
  'updateRemoteUserUID',
  'hostRequirements',
] as const;

export const METADATA_HOOKS = [
  'onCreateCommand',
  'updateContentCommand',
  'postCreateCommand',
  'postStartCommand',
  'postAttachCommand',
] as const;
export type MetadataHook = (typeof METADATA_HOOKS)[number];

export type MetadataOrigin = 'imageMetadata' | 'feature' | 'devcontainer.json';

/** Something a Feature or the base image asks for that reaches past the container; needs the user's consent. */
export type PrivilegeAsk = {
  kind: 'privileged' | 'capAdd' | 'securityOpt' | 'bindMount' | 'entrypoint';
  detail: string;
  source: { origin: 'imageMetadata' | 'feature'; name: string };
};

/** One hook's commands from one entry; steps run one after another, a step's commands in parallel. */
export type { LifecycleStep };

export type MountValue = string | { type?: string; source?: string; target?: string; [key: string]: unknown };

export interface MergedMetadata {
  /** Every entry in merge order, with where it came from: as written (`entry`) and substituted (`value`). */
  entries: { origin: MetadataOrigin; name: string; entry: MetadataEntry; value: MetadataEntry }[];
  /** The label for an image built from these entries: always a JSON array. */
  label: string;
  remoteUser?: string;
  containerUser?: string;
  containerEnv: Record<string, string>;
  remoteEnv: Record<string, string | null>;
  /** Deduplicated by target (the last one wins, in the order of their last appearance). */
  mounts: MountValue[];
  init: boolean;
  privileged: boolean;
  capAdd: string[];
  securityOpt: string[];
  entrypoints: { origin: string; entrypoint: string }[];
  /** Per tool, every entry's value in order (tools merge their own, as the spec says). */
  customizations: Record<string, unknown[]>;
  lifecycle: Record<MetadataHook, LifecycleStep[]>;
  overrideCommand?: boolean;
  shutdownAction?: string;
  updateRemoteUserUID?: boolean;
  userEnvProbe?: string;
  waitFor?: string;
  forwardPorts: (number | string)[];
  portsAttributes: Record<string, unknown>;
  otherPortsAttributes?: unknown;
  hostRequirements?: { cpus?: number; memory?: string; storage?: string; gpu?: unknown };
  asks: PrivilegeAsk[];
  /** Parts of the label or of an entry that could not be used, and why. */
  warnings: string[];
}

export type ImageMetadataInput = {
  /** The base image: its reference (for messages) and its labels. */
  image: { ref: string; labels: Record<string, string> };
  /** In installation order. */
  features: readonly { userId: string; metadata: FeatureMetadata }[];
  /** devcontainer.json's own entry (configMetadataEntry); left out when undefined. */
  config?: MetadataEntry;
  /** Applied to every value before merging (`${devcontainerId}` in a Feature's mount); the label keeps them raw. */
  substitute?: <T>(value: T) => T;
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function pick(source: Record<string, unknown>, keys: readonly string[]): MetadataEntry {
  const out: MetadataEntry = {};
  for (const key of keys) if (key in source && source[key] !== undefined) out[key] = source[key];
  return out;
}

/** The label's entries: an array, or (older images) one object. Anything else is reported and ignored. */
export function parseMetadataLabel(label: string | undefined): {
  entries: MetadataEntry[];
  warnings: string[];
} {
  if (!label) return { entries: [], warnings: [] };
  let value: unknown;
  try {
    value = JSON.parse(label);
  } catch (error) {
    return {
      entries: [],
      warnings: [`the ${METADATA_LABEL} label is not JSON (${(error as Error).message}); it was ignored`],
    };
  }
  if (isRecord(value)) return { entries: [value], warnings: [] };
  if (!Array.isArray(value))
    return {
      entries: [],
      warnings: [`the ${METADATA_LABEL} label is neither an array nor an object; it was ignored`],
    };
  const entries = value.filter(isRecord);
  const dropped = value.length - entries.length;
  return {
    entries,
    warnings: dropped
      ? [`${dropped} entries of the ${METADATA_LABEL} label are not objects and were ignored`]
      : [],
  };
}

/** A Feature's entry: `id` (as written in the config) and the properties Features may set. */
export function featureMetadataEntry(userId: string, metadata: FeatureMetadata): MetadataEntry {
  return { id: userId, ...pick(metadata, FEATURE_METADATA_PROPERTIES) };
}

/** devcontainer.json's entry: the properties the spec carries in image metadata. */
export function configMetadataEntry(config: Record<string, unknown>): MetadataEntry {
  return pick(config, CONFIG_METADATA_PROPERTIES);
}

/** `type=bind,source=/a,target=/b` or an object → its type, source and target (src/dst spellings too). */
export function mountParts(mount: MountValue): { type?: string; source?: string; target?: string } {
  if (typeof mount !== 'string') return { type: mount.type, source: mount.source, target: mount.target };
  const parts: Record<string, string> = {};
  const aliases: Record<string, string> = { src: 'source', destination: 'target', dst: 'target' };
  for (const field of mount.split(',')) {
    const [key = '', ...value] = field.split('=');
    parts[aliases[key] ?? key] = value.join('=');
  }
  return { type: parts['type'], source: parts['source'], target: parts['target'] };
}

function strings(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

function lastDefined<T>(
  entries: readonly MetadataEntry[],
  read: (e: MetadataEntry) => T | undefined,
): T | undefined {
  for (let i = entries.length - 1; i >= 0; i--) {
    const value = read(entries[i] as MetadataEntry);
    if (value !== undefined) return value;
  }
  return undefined;
}

const SIZE = /^(\d+)([tgmk]b)?$/;
function bytes(text: unknown): number {
  const match = typeof text === 'string' ? SIZE.exec(text) : null;
  if (!match) return 0;
  const unit = match[2]
    ? { t: 2 ** 40, g: 2 ** 30, m: 2 ** 20, k: 2 ** 10 }[match[2][0] as 't' | 'g' | 'm' | 'k']
    : 1;
  return Number(match[1]) * unit;
}

function mergeGpu(a: unknown, b: unknown): unknown {
  if (a === undefined || a === false) return b;
  if (b === undefined || b === false) return a;
  if (a === 'optional' && b === 'optional') return 'optional';
  const left = isRecord(a) ? a : {};
  const right = isRecord(b) ? b : {};
  const cores = Math.max(Number(left['cores'] ?? 0), Number(right['cores'] ?? 0));
  const memory = Math.max(bytes(left['memory'] ?? '0'), bytes(right['memory'] ?? '0'));
  return { cores: cores || undefined, memory: memory ? `${memory}` : undefined };
}

function hostRequirements(entries: readonly MetadataEntry[]): MergedMetadata['hostRequirements'] {
  const all = entries.map((e) => (isRecord(e['hostRequirements']) ? e['hostRequirements'] : {}));
  const cpus = Math.max(0, ...all.map((h) => (typeof h['cpus'] === 'number' ? h['cpus'] : 0)));
  const memory = Math.max(0, ...all.map((h) => bytes(h['memory'] ?? '0')));
  const storage = Math.max(0, ...all.map((h) => bytes(h['storage'] ?? '0')));
  const gpu = all.map((h) => h['gpu']).reduce(mergeGpu, undefined);
  if (!cpus && !memory && !storage && !gpu) return undefined;
  return {
    cpus,
    ...(memory ? { memory: `${memory}` } : {}),
    ...(storage ? { storage: `${storage}` } : {}),
    ...(gpu ? { gpu } : {}),
  };
}

function forwardPorts(entries: readonly MetadataEntry[]): (number | string)[] {
  const all = entries.flatMap((e) =>
    Array.isArray(e['forwardPorts']) ? (e['forwardPorts'] as unknown[]) : [],
  );
  const unique = [...new Set(all.map((p) => (typeof p === 'number' ? `localhost:${p}` : String(p))))];
  return unique.map((p) => (/^localhost:\d+$/.test(p) ? Number(p.slice('localhost:'.length)) : p));
}

function asksOf(entry: MetadataEntry, source: PrivilegeAsk['source']): PrivilegeAsk[] {
  const asks: PrivilegeAsk[] = [];
  if (entry['privileged'] === true) asks.push({ kind: 'privileged', detail: 'privileged: true', source });
  for (const cap of strings(entry['capAdd']) ?? []) asks.push({ kind: 'capAdd', detail: cap, source });
  for (const opt of strings(entry['securityOpt']) ?? [])
    asks.push({ kind: 'securityOpt', detail: opt, source });
  for (const mount of Array.isArray(entry['mounts']) ? (entry['mounts'] as MountValue[]) : []) {
    const parts = mountParts(mount);
    if (parts.type === 'bind')
      asks.push({ kind: 'bindMount', detail: `${parts.source ?? '?'} → ${parts.target ?? '?'}`, source });
  }
  if (typeof entry['entrypoint'] === 'string')
    asks.push({ kind: 'entrypoint', detail: entry['entrypoint'], source });
  return asks;
}

/**
 * Merges image, Feature and devcontainer.json metadata by the spec's rules: lifecycle hooks in order
 * (image, then Features in install order, then the config); remoteUser, containerUser, overrideCommand,
 * shutdownAction and the like: the last one set wins; env: later keys win; init and privileged: any;
 * capAdd, securityOpt, forwardPorts: union; mounts: deduplicated by target, the last wins; customizations:
 * every value kept per tool; hostRequirements: the largest.
 */
export function mergeImageMetadata(input: ImageMetadataInput): MergedMetadata {
  const substitute = input.substitute ?? (<T>(value: T): T => value);
  const label = parseMetadataLabel(input.image.labels[METADATA_LABEL]);
  const warnings = label.warnings.map((w) => `${input.image.ref}: ${w}`);
  const sourced: Omit<MergedMetadata['entries'][number], 'value'>[] = [
    ...label.entries.map((entry) => ({
      origin: 'imageMetadata' as const,
      name: entry.id ? `${entry.id} (in ${input.image.ref})` : input.image.ref,
      entry,
    })),
    ...input.features.map((f) => ({
      origin: 'feature' as const,
      name: f.userId,
      entry: featureMetadataEntry(f.userId, f.metadata),
    })),
    ...(input.config
      ? [{ origin: 'devcontainer.json' as const, name: CONFIG_ORIGIN, entry: input.config }]
      : []),
  ].filter((s) => Object.keys(s.entry).length > 0);
  const raw = sourced.map((s) => s.entry);
  const entries = raw.map((e) => substitute(e));

  const lifecycle = Object.fromEntries(
    METADATA_HOOKS.map((hook) => [hook, [] as LifecycleStep[]]),
  ) as MergedMetadata['lifecycle'];
  sourced.forEach((s, i) => {
    const entry = entries[i] as MetadataEntry;
    for (const hook of METADATA_HOOKS) {
      const value = entry[hook];
      if (value === undefined) continue;
      const valid =
        typeof value === 'string' ||
        strings(value) ||
        (isRecord(value) && Object.values(value).every((v) => typeof v === 'string' || strings(v)));
      if (!valid) {
        warnings.push(
          `${s.name}: "${hook}" is not a command string, array or object of commands; it was ignored`,
        );
        continue;
      }
      const commands = normalizeLifecycleCommand(
        hook,
        value as Parameters<typeof normalizeLifecycleCommand>[1],
      );
      if (commands.length) lifecycle[hook].push({ origin: s.name, commands });
    }
  });

  const customizations: Record<string, unknown[]> = {};
  for (const entry of entries) {
    if (!isRecord(entry['customizations'])) continue;
    for (const [tool, value] of Object.entries(entry['customizations']))
      (customizations[tool] ??= []).push(value);
  }

  const allMounts = entries.flatMap((e) => (Array.isArray(e['mounts']) ? (e['mounts'] as MountValue[]) : []));
  const seenTargets = new Set<string | undefined>();
  const mounts = allMounts
    .reverse()
    .filter((m) => {
      const target = mountParts(m).target;
      if (seenTargets.has(target)) return false;
      seenTargets.add(target);
      return true;
    })
    .reverse();

  const str = (key: string) => (e: MetadataEntry) =>
    typeof e[key] === 'string' && e[key] !== '' ? (e[key] as string) : undefined;
  const bool = (key: string) => (e: MetadataEntry) =>
    typeof e[key] === 'boolean' ? (e[key] as boolean) : undefined;
  const record = (key: string) => entries.map((e) => (isRecord(e[key]) ? e[key] : {}));
  const merged: MergedMetadata = {
    entries: sourced.map((s, i) => ({ ...s, value: entries[i] as MetadataEntry })),
    label: JSON.stringify(raw),
    containerEnv: Object.assign({}, ...record('containerEnv')) as Record<string, string>,
    remoteEnv: Object.assign({}, ...record('remoteEnv')) as Record<string, string | null>,
    mounts,
    init: entries.some((e) => e['init'] === true),
    privileged: entries.some((e) => e['privileged'] === true),
    capAdd: [...new Set(entries.flatMap((e) => strings(e['capAdd']) ?? []))],
    securityOpt: [...new Set(entries.flatMap((e) => strings(e['securityOpt']) ?? []))],
    entrypoints: sourced.flatMap((s, i) => {
      const entrypoint = (entries[i] as MetadataEntry)['entrypoint'];
      return typeof entrypoint === 'string' && entrypoint ? [{ origin: s.name, entrypoint }] : [];
    }),
    customizations,
    lifecycle,
    forwardPorts: forwardPorts(entries),
    portsAttributes: Object.assign({}, ...record('portsAttributes')) as Record<string, unknown>,
    asks: sourced.flatMap((s, i) =>
      s.origin === 'devcontainer.json'
        ? []
        : asksOf(entries[i] as MetadataEntry, { origin: s.origin, name: s.name }),
    ),
    warnings,
  };
  const optional = {
    remoteUser: lastDefined(entries, str('remoteUser')),
    containerUser: lastDefined(entries, str('containerUser')),
    overrideCommand: lastDefined(entries, bool('overrideCommand')),
    shutdownAction: lastDefined(entries, str('shutdownAction')),
    updateRemoteUserUID: lastDefined(entries, bool('updateRemoteUserUID')),
    userEnvProbe: lastDefined(entries, str('userEnvProbe')),
    waitFor: lastDefined(entries, str('waitFor')),
    otherPortsAttributes: lastDefined(entries, (e) =>
      isRecord(e['otherPortsAttributes']) ? e['otherPortsAttributes'] : undefined,
    ),
    hostRequirements: hostRequirements(entries),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  return merged;
}

/**
 * `_CONTAINER_USER` and `_REMOTE_USER` for Feature install scripts, as the reference computes them: the
 * last containerUser in the metadata, else the image's user (root when unset); the last remoteUser, else
 * the container user.
 */
export function featureUsers(
  merged: Pick<MergedMetadata, 'containerUser' | 'remoteUser'>,
  imageUser: string,
): { containerUser: string; remoteUser: string } {
  const containerUser = merged.containerUser || imageUser || 'root';
  return { containerUser, remoteUser: merged.remoteUser || containerUser };
}
