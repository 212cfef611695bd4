// Dev Container Features on a base image (an `image`, a Dockerfile build, or a Compose dev service's):
// resolved (lockfile), merged with the image's metadata and devcontainer.json, judged by the consent
// policy, and installed as layers of one image tagged by a content hash, so an unchanged set is never
// rebuilt. FeaturesReady says how far it got and names the Feature being installed.

import { join } from 'node:path';
import type { Environment, FeatureStatus } from '../../api';
import {
  ConfigError,
  formatLocation,
  formatWarning,
  INLINE_CONFIG_FILE,
  type ResolvedDevcontainer,
} from '../../devcontainer';
import {
  buildFeatureImage,
  createFeatureSources,
  FeatureFetchError,
  featureImageBuild,
  FeatureInstallError,
  FeatureOrderError,
  FeaturePlanError,
  LockfileError,
  mergeImageMetadata,
  resolveFeatures,
  type MergedMetadata,
  type LockfileMode,
  type ResolvedFeature,
} from '../../features';
import type { EnvLogs } from '../../logs/envLogs';
import { LABELS, type ContainerProvider, type ImageResult } from '../../providers/provider';
import { TerminalError } from '../controller';
import {
  applyMetadata,
  baseEntryCount,
  configEntryOf,
  featureAsks,
  substitutionFor,
  type FeatureLayout,
} from './appliedConfig';
import type { ImageOutput } from './steps/imageStep';
import type { StepContext } from './steps/stepContext';

export interface FeatureImageDeps {
  logs: EnvLogs;
  runnerId: string;
  /** Downloads, kept by digest (`<state>/cache/features`): a start with everything cached needs no network. */
  cacheDir: string;
  /** Build contexts are written below it (and removed after each build). */
  workDir: string;
  /** Proxies (HTTPS_PROXY …), DEVCONTAINERS_OCI_AUTH and DOCKER_CONFIG; default the runner's. */
  env?: Record<string, string | undefined>;
}

export interface FeatureImageInput {
  provider: ContainerProvider;
  resolved: ResolvedDevcontainer;
  /** The image the Features go on (what the config names or builds). */
  base: ImageResult;
  /** Consent for the merged configuration; throws (terminal) before anything is built when refused. */
  authorize?: (config: ResolvedDevcontainer) => void;
}

/** What to do with devcontainer-lock.json for this environment now. */
export function lockfileModeFor(env: Environment, resolved: ResolvedDevcontainer): LockfileMode {
  if (resolved.configFile === INLINE_CONFIG_FILE) return 'none';
  const spec = env.spec.features;
  if (spec?.update !== undefined && spec.update !== env.status.features?.updateHandled) return 'update';
  return spec?.frozenLockfile ? 'frozen' : 'write';
}

function statusItem(f: ResolvedFeature, asks: string[]): FeatureStatus {
  return {
    id: f.userId,
    kind: f.ref.kind,
    ...(f.version !== undefined ? { version: f.version } : {}),
    digest: f.digest,
    resolved: f.resolved,
    options: { ...f.options },
    ...(f.chain.length > 1 ? { requiredBy: f.chain[f.chain.length - 2] } : {}),
    ...(asks.length ? { asks } : {}),
  };
}

function fail(
  ctx: StepContext,
  reason: 'FeaturesInvalid' | 'LockfileMismatch' | 'FeatureFetchFailed' | 'FeatureInstallFailed',
  message: string,
): void {
  ctx.draft.set('FeaturesReady', 'False', reason, message);
  ctx.draft.set('Ready', 'False', reason, message);
}

/** A failure as its condition and how the controller treats it: bad input waits for a change, the network is retried. */
function failure(ctx: StepContext, resolved: ResolvedDevcontainer, error: unknown): unknown {
  if (error instanceof ConfigError || error instanceof FeaturePlanError) {
    fail(ctx, 'FeaturesInvalid', error.message);
    return new TerminalError(error.message, { cause: error });
  }
  if (error instanceof FeatureOrderError) {
    const where = formatLocation(resolved.configFile, resolved.written?.sourceMap.keyAt(['features']));
    const message = `${where}: ${error.message}`;
    fail(ctx, 'FeaturesInvalid', message);
    return new TerminalError(message, { cause: error });
  }
  if (error instanceof LockfileError) {
    fail(ctx, 'LockfileMismatch', error.message);
    return new TerminalError(error.message, { cause: error });
  }
  if (error instanceof FeatureFetchError) {
    fail(ctx, 'FeatureFetchFailed', error.message);
    return error;
  }
  if (error instanceof FeatureInstallError) {
    // The same install fails the same way: tried again when the spec changes (`devrig up` after a fix).
    fail(ctx, 'FeatureInstallFailed', error.message);
    return new TerminalError(error.message, { cause: error });
  }
  // The engine's own trouble (unreachable, out of space): tried again with backoff.
  const message = (error as Error)?.message ?? String(error);
  ctx.draft.set('ImageReady', 'False', 'BuildFailed', message);
  fail(ctx, 'FeatureInstallFailed', message);
  ctx.draft.set('Ready', 'False', 'BuildFailed', message);
  return error;
}

/**
 * The image a new container is made from, Features installed on `base`, and the configuration as it
 * applies to it. With no Features, `base` itself, with its metadata merged all the same (an image of
 * the devcontainers family sets remoteUser, containerEnv and hooks in its label).
 */
export async function featureImage(
  ctx: StepContext,
  deps: FeatureImageDeps,
  input: FeatureImageInput,
): Promise<ImageOutput> {
  const { env, draft } = ctx;
  const { provider, resolved, base } = input;
  const substitute = substitutionFor(resolved);
  const config = configEntryOf(resolved);
  const raw = resolved.features;
  if (raw === undefined) {
    draft.remove('FeaturesReady');
    delete draft.status.features;
    const merged = mergeImageMetadata({
      image: base,
      features: [],
      ...(config ? { config } : {}),
      substitute,
    });
    const applied = applyLogged(ctx, resolved, merged);
    input.authorize?.(applied);
    return { ...base, config: applied };
  }
  const count = typeof raw === 'object' && raw !== null ? Object.keys(raw).length : 0;
  draft.set('FeaturesReady', 'False', 'Resolving', `resolving ${count} Feature${count === 1 ? '' : 's'}`);
  draft.set('Ready', 'False', 'Building', 'resolving Features');
  ctx.progress();
  const mode = lockfileModeFor(env, resolved);
  const log = deps.logs.writer(env.metadata.name, 'image');
  try {
    const set = await resolveFeatures({
      features: raw,
      ...(resolved.overrideFeatureInstallOrder !== undefined
        ? { overrideFeatureInstallOrder: resolved.overrideFeatureInstallOrder as string[] }
        : {}),
      ...(mode !== 'none' ? { configFile: resolved.configFile } : { configName: 'the inline config' }),
      sourceMap: resolved.written?.sourceMap ?? { valueAt: () => undefined, keyAt: () => undefined },
      lockfile: mode,
      sources: createFeatureSources({
        cacheDir: deps.cacheDir,
        env: deps.env ?? process.env,
        log,
        signal: ctx.signal,
      }),
    });
    for (const w of set.warnings) log(`Warning: ${formatWarning(w)}`);
    const lock = set.lockfile;
    if (lock?.written)
      log(`Wrote ${lock.file}${lock.differences.length ? `: ${lock.differences.join('; ')}` : ''}`);
    const layout: FeatureLayout = { base: base.ref, baseEntries: baseEntryCount(base.labels), features: [] };
    const { plan, merged } = featureImageBuild({
      base,
      features: set.features,
      ...(config ? { config } : {}),
      substitute,
      repository: `devrig/${env.metadata.name}-features`,
      labels: {
        [LABELS.managed]: 'true',
        [LABELS.runner]: deps.runnerId,
        [LABELS.environment]: env.metadata.name,
        [LABELS.features]: JSON.stringify({
          ...layout,
          features: set.features.map((f) => statusItem(f, [])),
        }),
      },
    });
    const items = set.features.map((f) => statusItem(f, featureAsks(merged, f.userId)));
    draft.status.features = {
      items,
      image: plan.tag,
      ...(lock ? { lockfile: lock.file } : {}),
      ...(mode === 'update'
        ? { updateHandled: env.spec.features?.update }
        : env.status.features?.updateHandled !== undefined
          ? { updateHandled: env.status.features.updateHandled }
          : {}),
    };
    const applied = applyLogged(ctx, resolved, merged);
    // Before anything is built: what the Features ask of this machine needs consent like the rest.
    input.authorize?.(applied);
    const names = items.map((i) => i.id).join(', ');
    draft.set('FeaturesReady', 'False', 'Installing', `installing ${items.length} Features: ${names}`);
    draft.set('ImageReady', 'False', 'Building', `installing Features on ${base.ref}`);
    ctx.progress();
    const built = await buildFeatureImage(
      provider,
      plan,
      deps.workDir,
      log,
      ctx.signal,
      (userId, index, total) => {
        const message = `installing Feature ${userId} (${index + 1}/${total})`;
        draft.set('FeaturesReady', 'False', 'Installing', message);
        draft.set('Ready', 'False', 'Building', message);
        ctx.progress();
      },
    );
    const how = built.action === 'present' ? 'in the image already built' : 'installed';
    draft.set('FeaturesReady', 'True', 'Installed', `${items.length} Features ${how}: ${names}`);
    draft.set(
      'ImageReady',
      'True',
      built.action === 'present' ? 'Present' : 'Built',
      `${built.ref} (${built.id.replace(/^sha256:/, '').slice(0, 12)}) on ${base.ref}`,
    );
    if (built.action !== 'present') ctx.log(`Image ${built.ref} built with ${items.length} Features`);
    return { ...built, config: applied };
  } catch (error) {
    // Aborted, or refused by the consent policy (which said so in its own condition).
    if (ctx.signal.aborted || error instanceof TerminalError) throw error;
    throw failure(ctx, resolved, error);
  }
}

function applyLogged(ctx: StepContext, resolved: ResolvedDevcontainer, merged: MergedMetadata) {
  const { config, warnings } = applyMetadata(resolved, merged);
  for (const w of warnings) ctx.log(`Warning: image metadata: ${w}`);
  return config;
}

/** The feature cache and build folders below the runner's state folder. */
export function featureFolders(stateDir: string): { cacheDir: string; workDir: string } {
  return {
    cacheDir: join(stateDir, 'cache', 'features'),
    workDir: join(stateDir, 'cache', 'feature-builds'),
  };
}
