// Dev Container Features: references, registry access, resolution and order, the lockfile, the image that
// installs them, and image metadata. The image step of the reconciler uses, in order:
//   sources = createFeatureSources({ cacheDir, env })
//   set = await resolveFeatures({ features, overrideFeatureInstallOrder, configFile, sourceMap, lockfile, sources })
//   { plan, merged } = featureImageBuild({ base: imageResult, features: set.features, config: configMetadataEntry(raw) })
//   image = await buildFeatureImage(provider, plan, workDir, log, signal)
// and, with no Features, mergeImageMetadata({ image, features: [], config }) for the container's settings.
import { findCredential, type CredentialHelper } from './credentials';
import { FeatureCache } from './featureCache';
import { createHttpClient, type HttpClient } from './http';
import { createOciClient } from './ociClient';
import type { FeatureSources } from './sources';

export { parseFeatureRef, FeatureRefError, withoutVersion } from './featureRef';
export type { FeatureRef, OciFeatureRef, TarballFeatureRef, LocalFeatureRef } from './featureRef';
export { FEATURE_METADATA_FILE, parseFeatureMetadataText } from './featureMetadata';
export type { FeatureMetadata, FeatureOption } from './featureMetadata';
export { optionEnvName, optionEnvLines, resolveOptions } from './options';
export type { OptionValues } from './options';
export { computeInstallOrder, FeatureOrderError } from './order';
export { resolveFeatures } from './resolve';
export type { FeatureSet, ResolvedFeature, ResolveFeaturesInput } from './resolve';
export { FeatureFetchError, folderDigest } from './sources';
export type { FeatureSources } from './sources';
export { lockfilePath, readLockfile, LockfileError } from './lockfile';
export type { Lockfile, LockfileEntry, LockfileMode } from './lockfile';
export { featureImageBuild, FeaturePlanError, planFeatureImage } from './buildPlan';
export type { BaseImage, FeatureBuildPlan, FeatureBuildInput, FeatureImageInput } from './buildPlan';
export { buildFeatureImage, featureImageRequest, writeBuildContext, FeatureInstallError } from './imageBuild';
export {
  configMetadataEntry,
  featureMetadataEntry,
  featureUsers,
  mergeImageMetadata,
  METADATA_LABEL,
  parseMetadataLabel,
} from './imageMetadata';
export type { LifecycleStep, MergedMetadata, MetadataEntry, PrivilegeAsk } from './imageMetadata';
export { createOciClient, OciError } from './ociClient';
export type { OciClient } from './ociClient';
export { createHttpClient } from './http';
export type { HttpClient } from './http';

export type FeatureSourcesOptions = {
  /** Downloads are kept here by digest (the runner's state folder, e.g. `<state>/cache/features`). */
  cacheDir: string;
  /** Proxies (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), DEVCONTAINERS_OCI_AUTH and DOCKER_CONFIG come from here. */
  env: Record<string, string | undefined>;
  /** Read ~/.docker/config.json (and its helpers) for registry credentials; default true. */
  useDockerCredentials?: boolean;
  http?: HttpClient;
  runCredentialHelper?: CredentialHelper;
  log?: (line: string) => void;
  signal?: AbortSignal;
};

/** The network, credentials and cache a resolution uses, from the usual places. */
export function createFeatureSources(options: FeatureSourcesOptions): FeatureSources {
  const http = options.http ?? createHttpClient(options.env);
  const useDocker = options.useDockerCredentials ?? true;
  const oci = createOciClient({
    http,
    credentials: (registry) =>
      findCredential(registry, {
        env: options.env,
        ...(useDocker ? {} : { dockerConfigDir: false }),
        ...(options.runCredentialHelper ? { runHelper: options.runCredentialHelper } : {}),
      }),
  });
  return {
    oci,
    http,
    cache: new FeatureCache(options.cacheDir),
    ...(options.log ? { log: options.log } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}
