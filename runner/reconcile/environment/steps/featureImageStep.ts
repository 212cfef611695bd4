import { TerminalError } from '../../controller';
import { featureImage, type FeatureImageDeps } from '../featureImage';
import { dockerfileImageStep, type ImageDeps, type ImageStep } from './imageStep';

/**
 * The image step with Dev Container Features and image metadata: the image the config names or builds
 * (dockerfileImageStep), then the Features installed on it and its `devcontainer.metadata` merged with
 * devcontainer.json (featureImage). Plain hosts have no images: Features there are refused.
 */
export function featureImageStep(deps: ImageDeps & FeatureImageDeps): ImageStep {
  const base = dockerfileImageStep(deps);
  return async (ctx, input) => {
    const { provider, resolved } = input;
    if (provider.plain) {
      if (resolved.features !== undefined) {
        const message = `Features need a container engine: ${provider.name} is a plain host (commands run on it directly, there is no image to install them in); use a host in docker mode, or the local engine`;
        ctx.draft.set('FeaturesReady', 'False', 'FeaturesNeedEngine', message);
        ctx.draft.set('Ready', 'False', 'FeaturesNeedEngine', message);
        throw new TerminalError(message);
      }
      return base(ctx, input);
    }
    const image = await base(ctx, input);
    return featureImage(ctx, deps, {
      provider,
      resolved,
      base: image,
      ...(input.authorize ? { authorize: input.authorize } : {}),
    });
  };
}
