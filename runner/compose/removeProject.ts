import { LABELS, type ContainerProvider } from '../providers/provider';
import type { CommandOptions, ComposeProject } from './composeProject';
import { anonymousVolumes } from './observe';

/**
 * Deletes an environment's Compose project: its containers and networks (`compose down`), and the
 * anonymous volumes Compose made for them, which `down` leaves behind once a container was recreated.
 * The user's named volumes stay unless `volumes`; external volumes always stay.
 */
export async function removeComposeProject(
  project: ComposeProject,
  provider: Pick<ContainerProvider, 'findContainers' | 'removeVolume'>,
  selector: { runnerId: string; uid: string },
  opts: CommandOptions & { volumes?: boolean; removeImages?: boolean } = {},
): Promise<{ removedVolumes: string[] }> {
  const containers = await provider.findContainers({
    [LABELS.runner]: selector.runnerId,
    [LABELS.uid]: selector.uid,
  });
  const anonymous = anonymousVolumes(containers);
  await project.down(opts);
  for (const name of anonymous) await provider.removeVolume(name);
  return { removedVolumes: anonymous };
}
