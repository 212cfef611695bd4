import { ConfigError, configWarning, formatLocation, type ConfigWarning } from '../devcontainer/errors';
import { formatPropertyPath, type PropertyPath } from '../devcontainer/propertyPath';
import type { SourceMap } from '../devcontainer/sourceMap';
import type { FeatureMetadata, FeatureOptionsValue } from './featureMetadata';
import { FeatureRefError, parseFeatureRef, type FeatureRef } from './featureRef';
import {
  applyLockfile,
  lockfileFor,
  lockfilePath,
  readLockfile,
  type Lockfile,
  type LockfileMode,
  type LockfileOutcome,
  type ReadLockfile,
} from './lockfile';
import { resolveOptions, type OptionsSource, type OptionValues } from './options';
import {
  applyOverrides,
  computeInstallOrder,
  sameFeature,
  type OrderNode,
  type OrderSource,
  type SoftSource,
} from './order';
import {
  FeatureFetchError,
  featureFolder,
  identifyFeature,
  type FeatureSources,
  type IdentifiedFeature,
} from './sources';

/** A Feature ready to install: where it is, what it is, and the options it gets. */
export interface ResolvedFeature {
  /** As written in devcontainer.json, or as a Feature's dependsOn names it. */
  userId: string;
  ref: FeatureRef;
  /** The id its metadata declares. */
  id: string;
  version?: string;
  /** oci: manifest digest; tarball: archive sha256; local: hash of its files. */
  digest: string;
  /** `registry/path@sha256:…`, the tarball URL, or the local folder. */
  resolved: string;
  /** Effective option values (defaults included), in env-file order. */
  options: OptionValues;
  /** The value as written (options object, version string, boolean). */
  written: unknown;
  metadata: FeatureMetadata;
  /** Where its files are on this machine. */
  folder: string;
  /** userIds from devcontainer.json down to this Feature (just itself when the config names it). */
  chain: string[];
  /** The userIds it depends on. */
  dependsOn: string[];
}

export interface FeatureSet {
  /** In installation order. */
  features: ResolvedFeature[];
  warnings: ConfigWarning[];
  /** Undefined when the config is not a file (no lockfile). */
  lockfile?: LockfileOutcome & { lockfile: Lockfile };
}

export type ResolveFeaturesInput = {
  /** devcontainer.json's `features` as written. */
  features: Record<string, unknown>;
  overrideFeatureInstallOrder?: readonly string[];
  /** The config's absolute path (anchors local Features and the lockfile); undefined for an inline config. */
  configFile?: string;
  /** How messages name the config when `configFile` is undefined. */
  configName?: string;
  sourceMap: SourceMap;
  lockfile: LockfileMode;
  sources: FeatureSources;
};

/** How many Features a dependency graph may expand to before it is called runaway. */
const MAX_FEATURES = 200;

type Work = {
  node: OrderNode;
  chain: string[];
  /** Where its options were written (devcontainer.json, or the depending Feature's metadata). */
  written: OptionsSource;
  identified?: IdentifiedFeature;
  options?: OptionValues;
};

function located(source: OptionsSource, at: PropertyPath, message: string, cause?: unknown): ConfigError {
  return new ConfigError(
    {
      code: 'Invalid',
      file: source.file,
      message,
      position: source.sourceMap.keyAt(at),
      property: formatPropertyPath(at),
    },
    cause === undefined ? undefined : { cause },
  );
}

function orderSource(ref: FeatureRef, digest: string): OrderSource {
  switch (ref.kind) {
    case 'oci':
      return {
        kind: 'oci',
        registry: ref.registry,
        namespace: ref.namespace,
        id: ref.id,
        resource: ref.resource,
        ...(ref.tag !== undefined ? { tag: ref.tag } : {}),
        manifestDigest: digest,
      };
    case 'local':
      return { kind: 'local', folder: ref.folder };
    case 'tarball':
      return { kind: 'tarball', url: ref.url };
  }
}

function softSource(ref: FeatureRef): SoftSource {
  if (ref.kind === 'oci')
    return { kind: 'oci', registry: ref.registry, namespace: ref.namespace, resource: ref.resource };
  return ref.kind === 'local' ? { kind: 'local', folder: ref.folder } : { kind: 'tarball', url: ref.url };
}

function resolvedName(ref: FeatureRef, digest: string): string {
  if (ref.kind === 'oci') return `${ref.registry}/${ref.path}@${digest}`;
  return ref.kind === 'tarball' ? ref.url : ref.folder;
}

function chainText(chain: readonly string[]): string {
  return chain.length > 1 ? ` (required by ${chain.slice(0, -1).join(' → ')})` : '';
}

/** `features` must be an object and `overrideFeatureInstallOrder` an array of strings (the config schema leaves them loose). */
function checkShapes(input: ResolveFeaturesInput, file: string): void {
  const wrong = (at: PropertyPath, message: string) =>
    new ConfigError({
      code: 'Invalid',
      file,
      message: `"${formatPropertyPath(at)}" ${message}`,
      position: input.sourceMap.valueAt(at),
      property: formatPropertyPath(at),
    });
  const features: unknown = input.features;
  if (typeof features !== 'object' || features === null || Array.isArray(features)) {
    throw wrong(['features'], 'must be an object of Feature references and their options');
  }
  const order: unknown = input.overrideFeatureInstallOrder;
  if (order !== undefined && (!Array.isArray(order) || order.some((entry) => typeof entry !== 'string'))) {
    throw wrong(['overrideFeatureInstallOrder'], 'must be an array of Feature references');
  }
}

/**
 * Resolves devcontainer.json's Features to an ordered, fetched set: references parsed, digests pinned by
 * the lockfile (unless `update`), dependsOn followed (with their own options), options checked, the
 * reference's install order computed, files downloaded into the cache, the lockfile written or checked.
 *
 * Errors: ConfigError (bad reference or option, at file:line:col), FeatureOrderError (a cycle, named),
 * LockfileError (frozen mismatch), FeatureFetchError (registry or network; worth retrying).
 */
export async function resolveFeatures(input: ResolveFeaturesInput): Promise<FeatureSet> {
  const configName = input.configFile ?? input.configName ?? 'devcontainer.json';
  checkShapes(input, configName);
  const configSource = (userId: string): OptionsSource => ({
    file: configName,
    sourceMap: input.sourceMap,
    at: ['features', userId],
  });
  const lockFile = input.configFile && input.lockfile !== 'none' ? lockfilePath(input.configFile) : undefined;
  const current: ReadLockfile = lockFile ? await readLockfile(lockFile) : { exists: false };
  const pins = input.lockfile === 'update' ? {} : (current.lockfile?.features ?? {});
  const warnings: ConfigWarning[] = [];
  const identified = new Map<string, Promise<IdentifiedFeature>>();

  const identify = (ref: FeatureRef, pinned: string | undefined): Promise<IdentifiedFeature> => {
    const key = `${ref.kind}\0${ref.userId}\0${pinned ?? ''}`;
    let found = identified.get(key);
    if (!found) {
      found = identifyFeature(ref, pinned, input.sources);
      identified.set(key, found);
    }
    return found;
  };

  const queue: Work[] = Object.entries(input.features).map(([userId, value]) => ({
    node: {
      userId,
      source: { kind: 'local', folder: '' },
      options: value,
      dependsOn: [],
      installsAfter: [],
      roundPriority: 0,
    },
    chain: [userId],
    written: configSource(userId),
  }));
  const processed: Work[] = [];
  let seen = 0;
  while (queue.length > 0) {
    const work = queue.shift() as Work;
    if (++seen > MAX_FEATURES) {
      throw new FeatureFetchError(
        `more than ${MAX_FEATURES} Features through dependsOn${chainText(work.chain)}`,
      );
    }
    const userId = work.node.userId;
    let ref: FeatureRef;
    try {
      ref = parseFeatureRef(userId, input.configFile);
    } catch (error) {
      if (!(error instanceof FeatureRefError)) throw error;
      throw located(work.written, work.written.at, `${error.message}${chainText(work.chain)}`, error);
    }
    const feature = await identify(ref, pins[userId]?.integrity).catch((error: Error) => {
      if (!(error instanceof FeatureFetchError)) throw error;
      // A Feature the config names: point at it; one a dependsOn names: say who needs it.
      const where =
        work.chain.length === 1
          ? `${formatLocation(work.written.file, work.written.sourceMap.keyAt(work.written.at))}: `
          : '';
      throw new FeatureFetchError(`${where}${error.message}${chainText(work.chain)}`, { cause: error });
    });
    work.identified = feature;
    work.node.source = orderSource(ref, feature.digest);
    if (processed.some((p) => sameFeature(p.node, work.node))) continue;
    const metadata = feature.metadata.metadata;
    work.node.aliases = [metadata.currentId ?? metadata.id, ...(metadata.legacyIds ?? [])];
    const options = resolveOptions(
      userId,
      metadata.options,
      work.node.options as FeatureOptionsValue,
      work.written,
    );
    work.options = options.values;
    const notes = [...options.warnings];
    if (metadata.deprecated) notes.push(`Feature ${userId} is deprecated and gets no more updates`);
    if (metadata.legacyIds?.length && metadata.currentId && metadata.currentId !== metadata.id) {
      notes.push(`Feature ${userId} was renamed to "${metadata.currentId}"; update the reference`);
    }
    for (const message of notes) {
      warnings.push(
        configWarning(
          work.written.file,
          formatPropertyPath(work.written.at),
          message,
          work.written.sourceMap.keyAt(work.written.at),
        ),
      );
    }
    const metadataSource = { file: feature.metadata.file, sourceMap: feature.metadata.sourceMap };
    for (const [depId, value] of Object.entries(metadata.dependsOn ?? {})) {
      const child: Work = {
        node: {
          userId: depId,
          source: { kind: 'local', folder: '' },
          options: value,
          dependsOn: [],
          installsAfter: [],
          roundPriority: 0,
        },
        chain: [...work.chain, depId],
        written: { ...metadataSource, at: ['dependsOn', depId] },
      };
      work.node.dependsOn.push(child.node);
      queue.push(child);
    }
    for (const soft of metadata.installsAfter ?? []) {
      try {
        work.node.installsAfter.push({
          userId: soft,
          source: softSource(parseFeatureRef(soft, input.configFile)),
        });
      } catch (error) {
        if (!(error instanceof FeatureRefError)) throw error;
        const at = ['installsAfter'];
        warnings.push(
          configWarning(
            feature.metadata.file,
            'installsAfter',
            `${userId}: installsAfter "${soft}" was ignored: ${error.message}`,
            feature.metadata.sourceMap.keyAt(at),
          ),
        );
      }
    }
    processed.push(work);
  }

  const overrides = (input.overrideFeatureInstallOrder ?? []).map((entry, index) => {
    const at = ['overrideFeatureInstallOrder', index];
    try {
      return softSource(parseFeatureRef(entry, input.configFile));
    } catch (error) {
      if (!(error instanceof FeatureRefError)) throw error;
      throw new ConfigError(
        {
          code: 'Invalid',
          file: configName,
          message: `"${formatPropertyPath(at)}" ${error.message}`,
          position: input.sourceMap.valueAt(at),
          property: formatPropertyPath(at),
        },
        { cause: error },
      );
    }
  });
  const matched = applyOverrides(
    processed.map((w) => w.node),
    overrides,
  );
  matched.forEach((ok, index) => {
    if (ok) return;
    const at = ['overrideFeatureInstallOrder', index];
    const entry = input.overrideFeatureInstallOrder?.[index] ?? '';
    warnings.push(
      configWarning(
        configName,
        formatPropertyPath(at),
        `"${entry}" names none of the Features in use; it has no effect`,
        input.sourceMap.valueAt(at),
      ),
    );
  });

  const byNode = new Map(processed.map((w) => [w.node, w]));
  const ordered = computeInstallOrder(processed.map((w) => w.node)).map((node) => byNode.get(node) as Work);
  const features = await Promise.all(
    ordered.map(async (work): Promise<ResolvedFeature> => {
      const feature = work.identified as IdentifiedFeature;
      const metadata = feature.metadata.metadata;
      return {
        userId: work.node.userId,
        ref: feature.ref,
        id: metadata.id,
        ...(metadata.version !== undefined ? { version: metadata.version } : {}),
        digest: feature.digest,
        resolved: resolvedName(feature.ref, feature.digest),
        options: work.options ?? {},
        written: work.node.options,
        metadata,
        folder: await featureFolder(feature, input.sources),
        chain: work.chain,
        dependsOn: Object.keys(metadata.dependsOn ?? {}),
      };
    }),
  );

  let lockfile: FeatureSet['lockfile'];
  const next = lockfileFor(features.map((f) => ({ ...f, kind: f.ref.kind })));
  // Local Features are not locked: with nothing to pin, no lockfile is made (one that exists is kept true).
  if (lockFile && (current.exists || Object.keys(next.features).length > 0)) {
    lockfile = { ...(await applyLockfile(lockFile, current, next, input.lockfile)), lockfile: next };
  }
  return { features, warnings, ...(lockfile ? { lockfile } : {}) };
}
