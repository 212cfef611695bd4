import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigError } from '../devcontainer/errors';
import type { FeatureCache } from './featureCache';
import {
  FEATURE_METADATA_FILE,
  parseFeatureMetadataJson,
  parseFeatureMetadataText,
  type ParsedFeatureMetadata,
} from './featureMetadata';
import type { FeatureRef, LocalFeatureRef, OciFeatureRef, TarballFeatureRef } from './featureRef';
import type { HttpClient } from './http';
import {
  FEATURE_LAYER_MEDIA_TYPE,
  METADATA_ANNOTATION,
  OciError,
  sha256Digest,
  type OciClient,
  type OciManifest,
} from './ociClient';

/** A Feature whose identity and metadata are known; its files may still be in the registry. */
export interface IdentifiedFeature {
  ref: FeatureRef;
  /** oci: the manifest's digest; tarball: the archive's sha256; local: a hash of the folder's files. */
  digest: string;
  metadata: ParsedFeatureMetadata;
  /** oci: the layer to download for the files. */
  manifest?: OciManifest;
  /** Where the files are, once they are on this machine (always, for tarball and local Features). */
  folder?: string;
}

/** How Features are fetched: the network, and the cache that keeps downloads by digest. */
export interface FeatureSources {
  oci: OciClient;
  http: HttpClient;
  cache: FeatureCache;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/** A Feature that cannot be fetched or read; the message names it. */
export class FeatureFetchError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FeatureFetchError';
  }
}

async function readMetadataFile(folder: string, what: string): Promise<ParsedFeatureMetadata> {
  const file = path.join(folder, FEATURE_METADATA_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new FeatureFetchError(`${what} has no ${FEATURE_METADATA_FILE} (looked in ${folder})`, {
      cause: error,
    });
  }
  return parseFeatureMetadataText(text, file);
}

/** A hash of every file under `folder` (path, executable bit, content): a local Feature's "digest". */
export async function folderDigest(folder: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (dir: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      const abs = path.join(dir, entry.name);
      const rel = path.relative(folder, abs).split(path.sep).join('/');
      if (entry.isDirectory()) await walk(abs);
      else if (entry.isFile()) {
        const mode = (await stat(abs)).mode & 0o111 ? 'x' : '-';
        hash
          .update(`${rel}\0${mode}\0`)
          .update(await readFile(abs))
          .update('\0');
      }
    }
  };
  await walk(folder);
  return `sha256:${hash.digest('hex')}`;
}

async function identifyLocal(ref: LocalFeatureRef): Promise<IdentifiedFeature> {
  const stats = await stat(ref.folder).catch(() => undefined);
  if (!stats?.isDirectory())
    throw new FeatureFetchError(`local Feature ${ref.userId}: ${ref.folder} is not a folder`);
  const metadata = await readMetadataFile(ref.folder, `local Feature ${ref.userId}`);
  return { ref, digest: await folderDigest(ref.folder), metadata, folder: ref.folder };
}

async function identifyTarball(
  ref: TarballFeatureRef,
  pinned: string | undefined,
  sources: FeatureSources,
): Promise<IdentifiedFeature> {
  const what = `tarball Feature ${ref.url}`;
  if (pinned && (await sources.cache.hasFolder(pinned))) {
    const folder = sources.cache.folderFor(pinned);
    return { ref, digest: pinned, metadata: await readMetadataFile(folder, what), folder };
  }
  sources.log?.(`Downloading ${ref.url}`);
  const headers: Record<string, string> = { 'user-agent': 'devrig' };
  const response = await sources.http(ref.url, { headers, signal: sources.signal }).catch((error: Error) => {
    throw new FeatureFetchError(`${what}: ${error.message}`, { cause: error });
  });
  if (response.status > 299)
    throw new FeatureFetchError(`${what}: the server answered HTTP ${response.status}`);
  const digest = sha256Digest(response.body);
  if (pinned && digest !== pinned) {
    throw new FeatureFetchError(
      `${what} changed: its sha256 is ${digest} but devcontainer-lock.json has ${pinned}; if the new content is expected, update the Features (rebuild --update-features)`,
    );
  }
  const folder = await sources.cache.storeArchive(digest, response.body, what);
  return { ref, digest, metadata: await readMetadataFile(folder, what), folder };
}

async function ociManifest(
  ref: OciFeatureRef,
  pinned: string | undefined,
  sources: FeatureSources,
): Promise<{ digest: string; manifest: OciManifest }> {
  // A digest (written or pinned by the lockfile) names content: the cached copy is as good as the registry's.
  const byDigest = ref.digest ?? pinned;
  if (byDigest) {
    const cached = await sources.cache.readManifest(byDigest);
    if (cached && sha256Digest(cached) === byDigest) {
      return { digest: byDigest, manifest: JSON.parse(cached.toString('utf8')) as OciManifest };
    }
  }
  const fetched = await sources.oci.manifest(ref, byDigest ?? ref.tag ?? 'latest', sources.signal);
  await sources.cache.writeManifest(fetched.digest, fetched.body);
  return { digest: fetched.digest, manifest: fetched.manifest };
}

function featureLayer(ref: OciFeatureRef, manifest: OciManifest) {
  const layer = manifest.layers[0];
  if (!layer) throw new FeatureFetchError(`${ref.userId}: the manifest has no layer`);
  if (layer.mediaType !== FEATURE_LAYER_MEDIA_TYPE) {
    throw new FeatureFetchError(
      `${ref.userId}: the layer's media type is ${layer.mediaType}, not ${FEATURE_LAYER_MEDIA_TYPE}`,
    );
  }
  return layer;
}

/** Downloads (or finds in the cache) an OCI Feature's layer, unpacked; returns the folder. */
export async function ociFeatureFolder(
  ref: OciFeatureRef,
  manifest: OciManifest,
  sources: FeatureSources,
): Promise<string> {
  const layer = featureLayer(ref, manifest);
  if (await sources.cache.hasFolder(layer.digest)) return sources.cache.folderFor(layer.digest);
  sources.log?.(`Downloading ${ref.registry}/${ref.path}@${layer.digest.slice(0, 19)}`);
  const data = await sources.oci.blob(ref, layer.digest, sources.signal);
  return sources.cache.storeArchive(layer.digest, data, ref.userId);
}

async function identifyOci(
  ref: OciFeatureRef,
  pinned: string | undefined,
  sources: FeatureSources,
): Promise<IdentifiedFeature> {
  const { digest, manifest } = await ociManifest(ref, pinned, sources);
  const annotation = manifest.annotations?.[METADATA_ANNOTATION];
  if (annotation) {
    const source = `${ref.registry}/${ref.path}@${digest} (${METADATA_ANNOTATION})`;
    return { ref, digest, manifest, metadata: parseFeatureMetadataJson(annotation, source) };
  }
  // Published without the annotation (older tooling): the metadata is in the layer.
  const folder = await ociFeatureFolder(ref, manifest, sources);
  return { ref, digest, manifest, folder, metadata: await readMetadataFile(folder, ref.userId) };
}

/**
 * Finds a Feature's digest and metadata. OCI Features need only their manifest (dependsOn is read from
 * the `dev.containers.metadata` annotation); `pinned` is the lockfile's digest, used instead of the tag.
 */
export async function identifyFeature(
  ref: FeatureRef,
  pinned: string | undefined,
  sources: FeatureSources,
): Promise<IdentifiedFeature> {
  try {
    switch (ref.kind) {
      case 'local':
        return await identifyLocal(ref);
      case 'tarball':
        return await identifyTarball(ref, pinned, sources);
      case 'oci':
        return await identifyOci(ref, pinned, sources);
    }
  } catch (error) {
    if (error instanceof FeatureFetchError || error instanceof ConfigError) throw error;
    const message = error instanceof OciError ? error.message : `${ref.userId}: ${(error as Error).message}`;
    throw new FeatureFetchError(message, { cause: error });
  }
}

/** Makes sure the Feature's files are on this machine; returns their folder. */
export async function featureFolder(feature: IdentifiedFeature, sources: FeatureSources): Promise<string> {
  if (feature.folder) return feature.folder;
  if (feature.ref.kind !== 'oci' || !feature.manifest) throw new Error(`${feature.ref.userId} has no files`);
  try {
    return await ociFeatureFolder(feature.ref, feature.manifest, sources);
  } catch (error) {
    if (error instanceof FeatureFetchError) throw error;
    throw new FeatureFetchError(`${feature.ref.userId}: ${(error as Error).message}`, { cause: error });
  }
}
