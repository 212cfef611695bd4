import type Docker from 'dockerode';
import { EngineError, statusCode } from './errors';

/**
 * Removes the images carrying `labels` (those devrig built for one environment), by tag, except
 * those `keep` names. An image a container still uses is refused by the engine and stays; an
 * untagged one (left by a rebuild to the same tag) is removed by id. Returns what was removed.
 */
export async function removeLabelledImages(
  docker: Docker,
  labels: string[],
  keep: (ref: string) => boolean,
): Promise<string[]> {
  let images: Docker.ImageInfo[];
  try {
    images = await docker.listImages({ filters: { label: labels } });
  } catch (e) {
    throw new EngineError('listing images', e);
  }
  const removed: string[] = [];
  for (const image of images) {
    const tags = (image.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
    for (const ref of tags.length > 0 ? tags : [image.Id]) {
      if (keep(ref)) continue;
      try {
        // Removing a tag only untags an image that has others; the image goes with its last tag.
        await docker.getImage(ref).remove();
        removed.push(ref);
      } catch (e) {
        // 409: a container uses it (another environment's, or one devrig did not create).
        if (statusCode(e) === 404 || statusCode(e) === 409) continue;
        throw new EngineError(`removing image ${ref}`, e);
      }
    }
  }
  return removed;
}
