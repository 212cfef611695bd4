import { basename } from 'node:path';
import { emptyBuildOptions, type ResolvedDevcontainer } from '../../../devcontainer';
import type { EnvLogs } from '../../../logs/envLogs';
import {
  LABELS,
  type ContainerProvider,
  type ImageRequest,
  type ImageResult,
} from '../../../providers/provider';
import { stableHash } from '../containerSpec';
import type { StepContext } from './stepContext';

export interface ImageInput {
  provider: ContainerProvider;
  /** The configuration as resolved from devcontainer.json. */
  resolved: ResolvedDevcontainer;
  /** The hash of the build inputs when it builds (the tag is made from it). */
  buildHash?: string;
  /**
   * Consent for the configuration as it applies to the image (image metadata and Features ask too):
   * throws (terminal) when refused, before anything more is built.
   */
  authorize?: (config: ResolvedDevcontainer) => void;
}

/** The image a new container is made from. */
export interface ImageOutput extends ImageResult {
  /**
   * The configuration as it applies to this image, what the container is made from. Here the
   * configuration as resolved; an image step that adds Features returns it merged with the base
   * image's and each feature's metadata (what the built image's devcontainer.metadata label holds).
   */
  config: ResolvedDevcontainer;
}

/** Image: pulls or builds what a new container is made from (ImageReady). Runs only when one is made. */
export type ImageStep = (ctx: StepContext, input: ImageInput) => Promise<ImageOutput>;

export interface ImageDeps {
  logs: EnvLogs;
  runnerId: string;
}

/** The image step for an `image` or a Dockerfile `build` (no Features). */
export function dockerfileImageStep(deps: ImageDeps): ImageStep {
  return async (ctx, { provider, resolved, buildHash }) => {
    const { env, draft } = ctx;
    let req: ImageRequest;
    // `--platform` in runArgs: the image is pulled (or built) for the platform the container runs.
    const platform = resolved.runArgs.options.platform;
    if (resolved.build) {
      const written = resolved.build.options;
      const options = written || platform ? { ...(written ?? emptyBuildOptions()) } : undefined;
      if (options && platform && !options.platform) options.platform = platform;
      const tag = `devrig/${env.metadata.name}:${stableHash({ hash: buildHash, rebuild: env.spec.rebuild, platform })}`;
      req = {
        kind: 'build',
        tag,
        context: resolved.build.context,
        dockerfile: resolved.build.dockerfile,
        args: resolved.build.args,
        target: resolved.build.target,
        noCache: env.spec.rebuild !== undefined,
        labels: {
          [LABELS.managed]: 'true',
          [LABELS.runner]: deps.runnerId,
          [LABELS.environment]: env.metadata.name,
        },
        ...(options ? { options } : {}),
      };
      draft.set('ImageReady', 'False', 'Building', `building ${basename(resolved.build.dockerfile)}`);
    } else {
      req = { kind: 'image', ref: resolved.image!, ...(platform ? { platform } : {}) };
      draft.set('ImageReady', 'False', 'Pulling', `looking for ${resolved.image}`);
    }
    draft.set('Ready', 'False', 'Building', 'preparing the image');
    ctx.progress();
    try {
      const image = await provider.ensureImage(req, deps.logs.writer(env.metadata.name, 'image'), ctx.signal);
      const verb = ({ present: 'Present', pulled: 'Pulled', built: 'Built' } as const)[image.action];
      draft.set(
        'ImageReady',
        'True',
        verb,
        `${image.ref} (${image.id.replace(/^sha256:/, '').slice(0, 12)})`,
      );
      draft.status.image = image.ref;
      if (image.action !== 'present') ctx.log(`Image ${image.ref} ${image.action}`);
      return { ...image, config: resolved };
    } catch (e) {
      if (ctx.signal.aborted) {
        // Aborted for a newer spec (Cancel sends it to Stopped): that spec decides what comes next, and
        // an environment stopped mid-build is Stopped, not Failed.
        draft.set(
          'ImageReady',
          'False',
          'Aborted',
          `stopped before the image was ready: ${(e as Error).message}`,
        );
        throw e;
      }
      const reason = req.kind === 'build' ? 'BuildFailed' : 'PullFailed';
      draft.set('ImageReady', 'False', reason, (e as Error).message);
      draft.set('Ready', 'False', reason, (e as Error).message);
      throw e;
    }
  };
}
