// The configuration as it applies to an image: devcontainer.json merged with the image's
// `devcontainer.metadata` label and each Feature's metadata by the spec's rules (runner/features merges),
// turned back into the ResolvedDevcontainer that the container, the lifecycle commands and the sessions
// are made from; and what those entries ask of the host, for the consent policy. Pure.

import {
  CONFIG_ORIGIN,
  MountError,
  mountFromObject,
  parseMountString,
  substituteVariables,
  type LifecycleHook,
  type LifecycleStep,
  type Mount,
  type ResolvedDevcontainer,
} from '../../devcontainer';
import {
  PortAttributesSchema,
  UserEnvProbeSchema,
  WaitForSchema,
  type MountObject,
  type PortAttributes,
} from '../../devcontainer/schema';
import {
  configMetadataEntry,
  mergeImageMetadata,
  METADATA_LABEL,
  parseMetadataLabel,
  type FeatureMetadata,
  type MergedMetadata,
  type MetadataEntry,
} from '../../features';
import { mountParts, type MountValue } from '../../features/imageMetadata';
import type { LocatedContainerRequest, MountRequest } from '../../policy/containerRequest';
import { FeatureStatus } from '../../api/features';
import { LABELS } from '../../providers/provider';

/** Applies the variables devcontainer.json was resolved with (`${devcontainerId}` in a Feature's mount …). */
export function substitutionFor(resolved: ResolvedDevcontainer): <T>(value: T) => T {
  const ctx = resolved.written?.substitution;
  return ctx ? <T>(value: T): T => substituteVariables(value, ctx) : <T>(value: T): T => value;
}

/** devcontainer.json's own image-metadata entry (as written), or undefined when nothing is known of it. */
export function configEntryOf(resolved: ResolvedDevcontainer): MetadataEntry | undefined {
  return resolved.written ? configMetadataEntry(resolved.written.raw) : undefined;
}

function toMount(value: MountValue): Mount {
  return typeof value === 'string' ? parseMountString(value) : mountFromObject(value as MountObject);
}

function vscodeOf(values: unknown[] | undefined, own: ResolvedDevcontainer['customizations']['vscode']) {
  const extensions: string[] = [];
  let settings: Record<string, unknown> = {};
  for (const value of values ?? []) {
    if (typeof value !== 'object' || value === null) continue;
    const v = value as { extensions?: unknown; settings?: unknown };
    if (Array.isArray(v.extensions)) extensions.push(...v.extensions.filter((e) => typeof e === 'string'));
    if (typeof v.settings === 'object' && v.settings !== null) settings = { ...settings, ...v.settings };
  }
  // devcontainer.json's own (its legacy top-level spellings folded in) come last and win.
  return {
    extensions: [...new Set([...extensions, ...own.extensions])],
    settings: { ...settings, ...own.settings },
  };
}

function forwardPorts(merged: MergedMetadata, own: number[]): number[] {
  // Host:port forms name other containers (Compose services): not this container's ports.
  const numbers = merged.forwardPorts.filter(
    (p): p is number => typeof p === 'number' && Number.isInteger(p) && p > 0 && p < 65536,
  );
  return [...new Set([...numbers, ...own])];
}

function portsAttributes(merged: MergedMetadata, warnings: string[]): Record<string, PortAttributes> {
  const out: Record<string, PortAttributes> = {};
  for (const [port, value] of Object.entries(merged.portsAttributes)) {
    const parsed = PortAttributesSchema.safeParse(value);
    if (parsed.success) out[port] = parsed.data;
    else warnings.push(`portsAttributes "${port}" in image metadata is not valid; it was ignored`);
  }
  return out;
}

/**
 * `resolved` as it applies to an image whose metadata merged into `merged` (mergeImageMetadata of the
 * image's label, the Features and devcontainer.json's own entry): users, containerEnv, remoteEnv, mounts
 * (deduplicated by target), init/privileged/capAdd/securityOpt, entrypoints, ports, customizations, the
 * image's and Features' lifecycle hooks before the config's own, and their host access requests.
 * Values that cannot be used are left out and said in `warnings`.
 */
export function applyMetadata(
  resolved: ResolvedDevcontainer,
  merged: MergedMetadata,
): { config: ResolvedDevcontainer; warnings: string[] } {
  const warnings = [...merged.warnings];
  const mounts: Mount[] = [];
  for (const value of merged.mounts) {
    try {
      mounts.push(toMount(value));
    } catch (error) {
      if (!(error instanceof MountError)) throw error;
      warnings.push(
        `mount ${JSON.stringify(value)} in image metadata is not valid (${error.message}); it was ignored`,
      );
    }
  }
  const metadataHooks: Partial<Record<LifecycleHook, LifecycleStep[]>> = {};
  for (const [hook, steps] of Object.entries(merged.lifecycle) as [LifecycleHook, LifecycleStep[]][]) {
    // devcontainer.json's own commands stay in `lifecycle` (resolved with the rest of it).
    const others = steps.filter((s) => s.origin !== CONFIG_ORIGIN);
    if (others.length) metadataHooks[hook] = others;
  }
  const remoteEnv = Object.entries(merged.remoteEnv);
  const waitFor = WaitForSchema.safeParse(merged.waitFor);
  const userEnvProbe = UserEnvProbeSchema.safeParse(merged.userEnvProbe);
  const shutdown = merged.shutdownAction;
  const otherPorts = PortAttributesSchema.safeParse(merged.otherPortsAttributes);
  const config: ResolvedDevcontainer = {
    ...resolved,
    mounts,
    containerEnv: Object.fromEntries(
      Object.entries(merged.containerEnv).filter((e): e is [string, string] => typeof e[1] === 'string'),
    ),
    remoteEnv: Object.fromEntries(remoteEnv.filter((e): e is [string, string] => typeof e[1] === 'string')),
    remoteEnvUnset: remoteEnv.filter(([, v]) => v === null).map(([name]) => name),
    ...(merged.remoteUser ? { remoteUser: merged.remoteUser } : {}),
    ...(merged.containerUser ? { containerUser: merged.containerUser } : {}),
    init: merged.init,
    privileged: merged.privileged,
    capAdd: merged.capAdd,
    securityOpt: merged.securityOpt,
    forwardPorts: forwardPorts(merged, resolved.forwardPorts),
    portsAttributes: portsAttributes(merged, warnings),
    ...(otherPorts.success && otherPorts.data ? { otherPortsAttributes: otherPorts.data } : {}),
    overrideCommand: merged.overrideCommand ?? resolved.overrideCommand,
    ...(shutdown === 'none' || shutdown === 'stopContainer' ? { shutdownAction: shutdown } : {}),
    ...(waitFor.success && waitFor.data ? { waitFor: waitFor.data } : {}),
    ...(userEnvProbe.success && userEnvProbe.data ? { userEnvProbe: userEnvProbe.data } : {}),
    ...(merged.updateRemoteUserUID !== undefined ? { updateRemoteUserUID: merged.updateRemoteUserUID } : {}),
    customizations: { vscode: vscodeOf(merged.customizations['vscode'], resolved.customizations.vscode) },
    ...(Object.keys(metadataHooks).length ? { metadataHooks } : {}),
    ...(merged.entrypoints.length ? { entrypoints: merged.entrypoints.map((e) => e.entrypoint) } : {}),
    hostRequests: [...resolved.hostRequests, ...metadataRequests(merged)],
  };
  return { config, warnings };
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * What the image's metadata and the Features ask of the host (privileged, capabilities, security
 * options, bind mounts), each with who asked: for the one consent policy, as devcontainer.json's own
 * requests are (those are in ResolvedDevcontainer.hostRequests already).
 */
export function metadataRequests(merged: MergedMetadata): LocatedContainerRequest[] {
  const out: LocatedContainerRequest[] = [];
  for (const { origin, name, value } of merged.entries) {
    if (origin === 'devcontainer.json') continue;
    const source = { origin, name } as const;
    if (value['privileged'] === true)
      out.push({ request: { privileged: true }, source: { ...source, property: 'privileged' } });
    const capAdd = strings(value['capAdd']);
    if (capAdd.length) out.push({ request: { capAdd }, source: { ...source, property: 'capAdd' } });
    const securityOpt = strings(value['securityOpt']);
    if (securityOpt.length)
      out.push({ request: { securityOpt }, source: { ...source, property: 'securityOpt' } });
    const mounts = Array.isArray(value['mounts']) ? (value['mounts'] as MountValue[]) : [];
    mounts.forEach((mount, index) => {
      const parts = mountParts(mount);
      if (!parts.target) return;
      const request: MountRequest = {
        type: parts.type ?? 'volume',
        target: parts.target,
        ...(parts.source ? { source: parts.source } : {}),
      };
      out.push({ request: { mounts: [request] }, source: { ...source, property: `mounts[${index}]` } });
    });
  }
  return out;
}

/** What one Feature asks of the container beyond its files, for people (status.features[].asks). */
export function featureAsks(merged: MergedMetadata, userId: string): string[] {
  return merged.asks
    .filter((a) => a.source.origin === 'feature' && a.source.name === userId)
    .map((a) => (a.kind === 'privileged' ? 'privileged' : `${a.kind} ${a.detail}`));
}

/**
 * Where the entries of an image's metadata label came from, on images devrig installed Features in
 * (the `devrig.features` label): how many are the base image's, then one per Feature; the rest were
 * devcontainer.json's when the image was built.
 */
export type FeatureLayout = { base: string; baseEntries: number; features: FeatureStatus[] };

/** The layout an image's labels carry, or undefined (not an image devrig installed Features in, or unreadable). */
export function readFeatureLayout(labels: Record<string, string>): FeatureLayout | undefined {
  const text = labels[LABELS.features];
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<FeatureLayout>;
    const features = FeatureStatus.array().safeParse(value.features);
    if (typeof value.base !== 'string' || typeof value.baseEntries !== 'number' || !features.success)
      return undefined;
    return { base: value.base, baseEntries: value.baseEntries, features: features.data };
  } catch {
    return undefined;
  }
}

/** The number of entries the base image's label contributes (empty ones are left out, as the merge does). */
export function baseEntryCount(labels: Record<string, string>): number {
  return parseMetadataLabel(labels[METADATA_LABEL]).entries.filter((e) => Object.keys(e).length > 0).length;
}

/**
 * The metadata an existing container's image gives, merged again with devcontainer.json as it is now:
 * on an image devrig built, its label's base-image and Feature entries (the config's entry from build
 * time is replaced by today's); on any other image, its label as image metadata. No network, no
 * resolution: what runs is what the image says.
 */
export function mergeFromImage(
  image: { ref: string; labels: Record<string, string> },
  layout: FeatureLayout | undefined,
  config: MetadataEntry | undefined,
  substitute: <T>(value: T) => T,
): MergedMetadata {
  if (!layout) return mergeImageMetadata({ image, features: [], ...(config ? { config } : {}), substitute });
  const entries = parseMetadataLabel(image.labels[METADATA_LABEL]).entries;
  const base = entries.slice(0, layout.baseEntries);
  const features = entries
    .slice(layout.baseEntries, layout.baseEntries + layout.features.length)
    .map((entry, i) => ({
      userId: layout.features[i]?.id ?? String(entry.id),
      // A Feature's entry holds exactly the metadata properties the merge reads.
      metadata: entry as unknown as FeatureMetadata,
    }));
  return mergeImageMetadata({
    image: { ref: layout.base, labels: { [METADATA_LABEL]: JSON.stringify(base) } },
    features,
    ...(config ? { config } : {}),
    substitute,
  });
}
