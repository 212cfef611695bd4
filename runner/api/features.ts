import { z } from 'zod';

/** What the user wants of an environment's Dev Container Features (see devcontainer-lock.json). */
export const FeaturesSpec = z.object({
  /**
   * Refuse Features that do not match devcontainer-lock.json (a moved tag, a Feature not locked): the
   * lockfile is checked, never written (`devrig up --frozen-lockfile`).
   */
  frozenLockfile: z.boolean().optional(),
  /**
   * Opaque token: a new value resolves the Features' tags afresh and rewrites the lockfile when the image
   * is next built (`devrig rebuild --update-features`); status.features.updateHandled says it was done.
   */
  update: z.string().optional(),
});
export type FeaturesSpec = z.infer<typeof FeaturesSpec>;

/** One Feature as installed in the environment's image. */
export const FeatureStatus = z.object({
  /** As devcontainer.json (or a Feature's dependsOn) writes it. */
  id: z.string(),
  kind: z.enum(['oci', 'tarball', 'local']),
  version: z.string().optional(),
  /** `sha256:…`: the OCI manifest or tarball digest, or a hash of a local Feature's files. */
  digest: z.string(),
  /** `registry/path@sha256:…`, the tarball URL, or the local folder. */
  resolved: z.string().optional(),
  /** Effective option values, defaults included. */
  options: z.record(z.string(), z.union([z.string(), z.boolean()])).default({}),
  /** The Feature whose dependsOn brought it in (absent: devcontainer.json names it). */
  requiredBy: z.string().optional(),
  /** What it asks of the container beyond its files: `privileged`, `capAdd SYS_PTRACE`, a mount, an entrypoint. */
  asks: z.array(z.string()).optional(),
});
export type FeatureStatus = z.infer<typeof FeatureStatus>;

export const FeaturesStatus = z.object({
  /** In install order. */
  items: z.array(FeatureStatus).default([]),
  /** The image they are installed in (tagged by a content hash). */
  image: z.string().optional(),
  /** devcontainer-lock.json, when the config is a file. */
  lockfile: z.string().optional(),
  /** The spec.features.update token acted on. */
  updateHandled: z.string().optional(),
});
export type FeaturesStatus = z.infer<typeof FeaturesStatus>;
