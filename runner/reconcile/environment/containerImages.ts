import type { ResolvedDevcontainer } from '../../devcontainer';
import type { ContainerObservation, ContainerProvider, ImageDetails } from '../../providers/provider';
import {
  applyMetadata,
  configEntryOf,
  featureAsks,
  mergeFromImage,
  readFeatureLayout,
  substitutionFor,
} from './appliedConfig';
import type { StepContext } from './steps/stepContext';

/** Images whose labels are kept at most (an id's labels never change, so there is nothing to expire). */
const MAX_IMAGES = 256;

/**
 * The configuration an existing container applies, read back from its image: the base image's and the
 * Features' metadata in the image's labels, merged with devcontainer.json as it is now. So a runner that
 * restarted (or a resync) needs no network and resolves nothing to know the container's remoteUser,
 * remoteEnv, hooks and Features.
 */
export class ContainerImages {
  private readonly details = new Map<string, Promise<ImageDetails | undefined>>();

  async applied(
    ctx: StepContext,
    provider: ContainerProvider,
    resolved: ResolvedDevcontainer,
    container: ContainerObservation,
  ): Promise<ResolvedDevcontainer> {
    if (provider.plain) return resolved;
    const image = await this.inspect(provider, container.imageId);
    // Its image is gone (removed with force): devcontainer.json as it is now is all there is.
    if (!image) return resolved;
    const layout = readFeatureLayout(image.labels);
    const ref = layout?.base ?? ctx.draft.status.image ?? resolved.image ?? container.imageId;
    const merged = mergeFromImage(
      { ref, labels: image.labels },
      layout,
      configEntryOf(resolved),
      substitutionFor(resolved),
    );
    const { draft } = ctx;
    if (layout?.features.length) {
      const items = layout.features.map((f) => {
        const asks = featureAsks(merged, f.id);
        return { ...f, ...(asks.length ? { asks } : {}) };
      });
      draft.status.features = { ...draft.status.features, items };
      const names = items.map((i) => i.id).join(', ');
      draft.set('FeaturesReady', 'True', 'Installed', `${items.length} Features installed: ${names}`);
    } else if (resolved.features === undefined) {
      draft.remove('FeaturesReady');
      delete draft.status.features;
    }
    // Warnings about the metadata were logged when the container was made from it.
    return applyMetadata(resolved, merged).config;
  }

  private inspect(provider: ContainerProvider, id: string): Promise<ImageDetails | undefined> {
    const key = `${provider.name}\0${id}`;
    let found = this.details.get(key);
    if (!found) {
      found = provider.inspectImage(id);
      this.details.set(key, found);
      // A failed look (the engine away) is asked again next time.
      found.then(
        (d) => d ?? this.details.delete(key),
        () => this.details.delete(key),
      );
      if (this.details.size > MAX_IMAGES) {
        const oldest = this.details.keys().next().value;
        if (oldest !== undefined) this.details.delete(oldest);
      }
    }
    return found;
  }
}
