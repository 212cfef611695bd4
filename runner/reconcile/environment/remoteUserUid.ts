import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ContainerProvider, ImageResult, LogSink } from '../../providers/provider';
import { stableHash } from '../../util/stableHash';

/** What decides whether the remote user's UID/GID is changed to the workspace folder owner's. */
export interface UidUpdateInput {
  /** devcontainer.json's updateRemoteUserUID (undefined: the default, true). */
  setting: boolean | undefined;
  /** A Linux engine on this machine: only there do bind mounts show this machine's owners inside. */
  localLinuxEngine: boolean;
  /** The workspace is bind-mounted from this machine (not a volume). */
  workspaceBound: boolean;
  remoteUser: string;
  /** The image's own user (restored after the change), '' for root. */
  imageUser: string;
  /** Owner of the bind-mounted folder on this machine. */
  folderOwner: { uid: number; gid: number };
}

export type UidUpdate = { remoteUser: string; uid: number; gid: number; imageUser: string };

/**
 * Whether to derive an image whose remote user has the folder owner's UID/GID, so files created
 * inside belong to the user outside (as the reference does on Linux). Not for root or a numeric
 * user (nothing to rename), nor a folder owned by root (giving a user UID 0 helps nobody). Pure.
 */
export function decideUidUpdate(i: UidUpdateInput): UidUpdate | undefined {
  if (i.setting === false || !i.localLinuxEngine || !i.workspaceBound) return undefined;
  const user = i.remoteUser.split(':')[0] ?? '';
  if (!user || user === 'root' || /^\d+$/.test(user)) return undefined;
  if (i.folderOwner.uid === 0) return undefined;
  return {
    remoteUser: user,
    uid: i.folderOwner.uid,
    gid: i.folderOwner.gid,
    imageUser: i.imageUser || 'root',
  };
}

/** The owner of a folder on this machine. */
export async function folderOwner(folder: string): Promise<{ uid: number; gid: number }> {
  const s = await stat(folder);
  return { uid: s.uid, gid: s.gid };
}

/**
 * Changes the user's UID/GID in /etc/passwd and /etc/group and re-owns their home; leaves things
 * as they are (saying why) when the user does not exist, already matches, or the UID belongs to
 * someone else. A GID taken by another group keeps the user's old GID. Only POSIX sh, grep, cut, sed.
 */
export const UPDATE_UID_DOCKERFILE = `ARG BASE_IMAGE
FROM $BASE_IMAGE
USER root
ARG REMOTE_USER
ARG NEW_UID
ARG NEW_GID
SHELL ["/bin/sh", "-c"]
RUN line=$(grep "^$REMOTE_USER:" /etc/passwd); \\
  if [ -z "$line" ]; then echo "devrig: no user $REMOTE_USER in /etc/passwd, nothing to change"; exit 0; fi; \\
  old_uid=$(echo "$line" | cut -d: -f3); old_gid=$(echo "$line" | cut -d: -f4); home=$(echo "$line" | cut -d: -f6); \\
  if [ "$old_uid" = "$NEW_UID" ] && [ "$old_gid" = "$NEW_GID" ]; then echo "devrig: $REMOTE_USER already has $NEW_UID:$NEW_GID"; exit 0; fi; \\
  taken=$(grep -E "^[^:]*:[^:]*:$NEW_UID:" /etc/passwd | cut -d: -f1 | grep -vx "$REMOTE_USER"); \\
  if [ "$old_uid" != "$NEW_UID" ] && [ -n "$taken" ]; then echo "devrig: UID $NEW_UID belongs to $taken; $REMOTE_USER keeps $old_uid"; exit 0; fi; \\
  gid="$NEW_GID"; \\
  group=$(grep -E "^[^:]*:[^:]*:$NEW_GID:" /etc/group | cut -d: -f1); \\
  if [ "$old_gid" != "$NEW_GID" ] && [ -n "$group" ]; then echo "devrig: GID $NEW_GID belongs to group $group; keeping $old_gid"; gid="$old_gid"; fi; \\
  sed -i -e "s/^\\($REMOTE_USER:[^:]*:\\)[^:]*:[^:]*/\\1$NEW_UID:$gid/" /etc/passwd && \\
  if [ "$old_gid" != "$gid" ]; then sed -i -e "s/^\\([^:]*:[^:]*:\\)$old_gid:/\\1$gid:/" /etc/group; fi && \\
  if [ -d "$home" ]; then chown -R "$NEW_UID:$gid" "$home"; fi && \\
  echo "devrig: $REMOTE_USER is now $NEW_UID:$gid (was $old_uid:$old_gid)"
ARG IMAGE_USER
USER $IMAGE_USER
`;

/** The tag of the derived image: the same base and change is built once (cached by hash). */
export function uidImageTag(base: Pick<ImageResult, 'id'>, update: UidUpdate): string {
  return `devrig/uid:${stableHash({ base: base.id, ...update, dockerfile: UPDATE_UID_DOCKERFILE })}`;
}

/**
 * The image with the remote user's UID/GID changed, built through the provider (a remote engine
 * gets the tiny context uploaded) unless an image of that tag exists already.
 */
export async function ensureUidImage(
  provider: Pick<ContainerProvider, 'ensureImage'>,
  base: ImageResult,
  update: UidUpdate,
  opts: { labels: Record<string, string>; log: LogSink; signal?: AbortSignal },
): Promise<ImageResult> {
  const dir = await mkdtemp(path.join(tmpdir(), 'devrig-uid-'));
  try {
    const dockerfile = path.join(dir, 'Dockerfile');
    await writeFile(dockerfile, UPDATE_UID_DOCKERFILE);
    return await provider.ensureImage(
      {
        kind: 'build',
        tag: uidImageTag(base, update),
        context: dir,
        dockerfile,
        args: {
          BASE_IMAGE: base.ref,
          REMOTE_USER: update.remoteUser,
          NEW_UID: String(update.uid),
          NEW_GID: String(update.gid),
          IMAGE_USER: update.imageUser,
        },
        labels: opts.labels,
      },
      opts.log,
      opts.signal,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
