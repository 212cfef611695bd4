import { basename, dirname } from 'node:path';
import type { Environment } from '../../../api';
import { LABELS, type ContainerObservation, type ContainerProvider } from '../../../providers/provider';
import { workspaceVolumeName, type WorkspaceSource } from '../containerSpec';
import { execOutput } from '../execLines';
import { writeMarkers, type MarkerCache } from '../markers';
import { cloneDir } from '../source';
import { tarFolder } from '../tarFolder';
import type { StepContext } from './stepContext';

export interface WorkspaceDeps {
  runnerId: string;
  sourcesDir: string;
  markers: MarkerCache;
}

/**
 * Workspace: where the code lives in the container (WorkspaceReady). A local folder is bind-mounted;
 * a git source, or a folder on a remote host, goes into a volume that survives the container,
 * filled once.
 */
export class WorkspaceStep {
  /** Workspace volumes created by this runner and not filled yet (env uid). */
  private readonly freshVolumes = new Set<string>();

  constructor(private readonly deps: WorkspaceDeps) {}

  /** For a new container: the bind mount, or the volume (created when missing). */
  async ensure(ctx: StepContext, provider: ContainerProvider): Promise<WorkspaceSource> {
    const { env, draft } = ctx;
    if (env.spec.source.folder && !provider.remote) {
      draft.set('WorkspaceReady', 'True', 'BindMounted', `${env.spec.source.folder} is mounted`);
      return { type: 'bind', folder: env.spec.source.folder };
    }
    // A remote host cannot see this machine's folders: a folder source is uploaded into the volume.
    const volume = workspaceVolumeName(env);
    const created = await provider.ensureVolume(volume, {
      [LABELS.managed]: 'true',
      [LABELS.runner]: this.deps.runnerId,
      [LABELS.environment]: env.metadata.name,
      [LABELS.uid]: env.metadata.uid,
      [LABELS.kind]: 'workspace',
    });
    if (created) this.freshVolumes.add(env.metadata.uid);
    draft.set('WorkspaceReady', 'True', 'Volume', `workspace volume ${volume}`);
    return { type: 'volume', volume };
  }

  /** A container that already existed has its workspace: say so once (a runner restart adopts it). */
  adopted(ctx: StepContext, provider: ContainerProvider): void {
    if (ctx.draft.isTrue('WorkspaceReady')) return;
    const kind = ctx.env.spec.source.git || provider.remote ? 'Volume' : 'BindMounted';
    ctx.draft.set('WorkspaceReady', 'True', kind, 'the container exists');
  }

  /**
   * A git source's volume is filled from the runner's clone once; on a remote host a folder
   * source's volume from the folder, once (later edits on either side are not synced).
   */
  async populate(
    ctx: StepContext,
    provider: ContainerProvider,
    container: ContainerObservation,
    /** Where the volume is mounted, when not at the workspace folder (a Compose file's mount). */
    at?: string,
  ): Promise<void> {
    const { env, draft, log } = ctx;
    const folder = env.spec.source.folder;
    if (!env.spec.source.git && !(folder && provider.remote)) return;
    const markers = await this.deps.markers.get(provider, container.id);
    if (markers.workspace) return;
    const target = at ?? draft.status.workspaceFolder!;
    const user = draft.status.remoteUser ?? 'root';
    // A recreated container finds the volume already filled: never overwrite work done on the host.
    const empty = ['/bin/sh', '-c', '[ -z "$(ls -A "$1" 2>/dev/null)" ]', 'sh', target];
    const fresh = this.freshVolumes.delete(env.metadata.uid);
    if (folder && !fresh && (await execOutput(provider, container.id, empty)).code !== 0) {
      markers.workspace = 'done';
      await writeMarkers(provider, container.id, markers);
      return;
    }
    log(
      folder
        ? `Uploading ${folder} into ${target} on host ${provider.name} (once: later edits are not synced back or forth)`
        : `Copying the repository into ${target}`,
    );
    await provider.putArchive(
      container.id,
      dirname(target),
      tarFolder(folder ?? cloneDir(env, this.deps.sourcesDir), basename(target)),
    );
    await execOutput(provider, container.id, ['chown', '-R', `${user}:`, target]);
    markers.workspace = 'done';
    await writeMarkers(provider, container.id, markers);
  }

  /** Deletion: the volumes devrig made for the environment. */
  async remove(env: Environment, provider: ContainerProvider, log: (line: string) => void): Promise<void> {
    for (const v of await provider.listVolumes({
      [LABELS.runner]: this.deps.runnerId,
      [LABELS.uid]: env.metadata.uid,
    })) {
      log(`Removing volume ${v}`);
      await provider.removeVolume(v);
    }
  }
}
