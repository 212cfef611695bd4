import { LABELS, type ContainerProvider } from '../../../providers/provider';
import { decideUidUpdate, ensureUidImage, folderOwner } from '../remoteUserUid';
import type { ImageOutput } from './imageStep';
import type { StepContext } from './stepContext';

export interface RemoteUserUidInput {
  provider: ContainerProvider;
  runnerId: string;
  /** The image the container would be made from (the image step's). */
  image: ImageOutput;
  remoteUser: string;
  /** The local folder bind-mounted as the workspace, when it is. */
  boundFolder?: string;
}

/**
 * updateRemoteUserUID (default true): on a Linux engine on this machine, when the workspace is
 * bind-mounted and remoteUser is not root, the image with that user's UID/GID set to the folder
 * owner's (built once per base and change: cached by hash), so files created inside belong to the
 * user outside. Otherwise the image as it is.
 */
export async function remoteUserUidStep(ctx: StepContext, i: RemoteUserUidInput): Promise<ImageOutput> {
  if (!i.boundFolder || i.provider.remote || process.platform !== 'linux') return i.image;
  const owner = await folderOwner(i.boundFolder).catch(() => undefined);
  if (!owner) return i.image;
  const update = decideUidUpdate({
    setting: i.image.config.updateRemoteUserUID,
    localLinuxEngine: true,
    workspaceBound: true,
    remoteUser: i.remoteUser,
    imageUser: i.image.user,
    folderOwner: owner,
  });
  if (!update) return i.image;
  const built = await ensureUidImage(i.provider, i.image, update, {
    labels: {
      [LABELS.managed]: 'true',
      [LABELS.runner]: i.runnerId,
      [LABELS.environment]: ctx.env.metadata.name,
    },
    log: ctx.log,
    signal: ctx.signal,
  });
  if (built.action === 'built')
    ctx.log(
      `Image ${built.ref}: ${update.remoteUser} has the UID/GID of ${i.boundFolder} (${update.uid}:${update.gid})`,
    );
  // The user the container runs as stays the base image's: only the remote user's ids changed.
  return { ...i.image, ref: built.ref, id: built.id };
}
