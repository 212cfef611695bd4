import { basename } from 'node:path';
import type { Environment } from '../../../api';
import type { ResolvedDevcontainer } from '../../../devcontainer';
import type { LocatedContainerRequest } from '../../../policy/containerRequest';
import { LABELS, type ContainerObservation, type ContainerProvider } from '../../../providers/provider';
import type { EffectiveResources, WorkspaceSource } from '../containerSpec';
import type { ContainerAction } from '../decide';
import type { InputHashesValue } from '../inputHashes';
import type { ImageOutput } from './imageStep';
import type { StepContext } from './stepContext';

/** What the container step is given to make the environment's container(s) run. */
export interface ContainerInput {
  provider: ContainerProvider;
  resolved: ResolvedDevcontainer;
  resources: EffectiveResources;
  /** The environment's containers on the engine (by its uid label), looked up while the config was read. */
  found: ContainerObservation[];
  /** The image (image step) and workspace (workspace step) a new container is made from: only called to make one. */
  prepare(hashes: InputHashesValue): Promise<{ image: ImageOutput; workspace: WorkspaceSource }>;
  /**
   * The image for a container the step makes from a base image it got elsewhere (a Compose service's
   * image or build): the image step run on `config` (whose `image` is that base), so Features and image
   * metadata apply to it as to a single container.
   */
  imageFor(config: ResolvedDevcontainer): Promise<ImageOutput>;
  /** The workspace step alone: the bind mount, or the volume (created when missing). */
  workspace(): Promise<WorkspaceSource>;
  /**
   * Consent, once the action is decided and before anything reaches the host: reports what the
   * configuration asks of this machine (with `more` requests the step found, a Compose project's
   * services) and throws (terminal) when `action` needs consent the spec does not give.
   */
  authorize(action: ContainerAction, more?: readonly LocatedContainerRequest[]): void;
  /** initializeCommand: before each create and start. */
  initialize(): Promise<void>;
  /** What the container is made from, hashed; `fresh` when a container is being made from it now. */
  hashes(fresh: boolean): Promise<InputHashesValue>;
}

export interface ContainerOutput {
  /** The container sessions, lifecycle commands and add-ons run in (a Compose project: its service's). */
  container: ContainerObservation;
  /** The configuration the container applies (the image step's, when it was just made). */
  config: ResolvedDevcontainer;
  /**
   * Where the workspace volume of a remote engine is mounted in the container, when not at the
   * workspace folder (a Compose file's mount); null when no volume holds the workspace.
   */
  workspaceTarget?: string | null;
}

/**
 * Container(s) (ContainerRunning, UpToDate): the environment's container(s) on its host's engine,
 * found by their labels (the truth, so a restarted runner adopts what runs), made, started or
 * stopped to match the spec. One container here; a Compose project's service containers in a step
 * that implements the same interface.
 */
export interface ContainerStep {
  /** Desired Running: create, recreate (spec changed), start, unpause or restart as needed. */
  run(ctx: StepContext, input: ContainerInput): Promise<ContainerOutput>;
  /** Desired Stopped: stop what runs (add-ons told before). */
  stop(ctx: StepContext, input: Pick<ContainerInput, 'provider' | 'found' | 'resolved'>): Promise<void>;
  /**
   * Deletion: remove every container of the environment (that this step made) and what goes with
   * them; `volumes`: the named volumes of its Compose files too.
   */
  remove(
    ctx: { env: Environment; log: (line: string) => void },
    provider: ContainerProvider,
    opts?: { volumes?: boolean },
  ): Promise<void>;
}

/** `devrig.kind` of a Compose project's service containers (`environment` for a single container). */
export const COMPOSE_SERVICE_KIND = 'compose-service';

/** The labels that find an environment's containers (and volumes): this runner's, this uid's. */
export function ownedBy(runnerId: string, env: Environment): Record<string, string> {
  return { [LABELS.runner]: runnerId, [LABELS.uid]: env.metadata.uid };
}

/** UpToDate: the container was made from the configuration (and build inputs) as they are now. */
export function reportDrift(
  ctx: StepContext,
  container: ContainerObservation,
  resolved: ResolvedDevcontainer,
  configHash: string,
): void {
  if (container.labels[LABELS.configHash] !== configHash) {
    ctx.draft.set(
      'UpToDate',
      'False',
      'ConfigChanged',
      `${basename(resolved.configFile)} or its build inputs changed since the container was created; rebuild to apply`,
    );
  } else {
    ctx.draft.set('UpToDate', 'True', 'InSync', 'the container matches the configuration');
  }
}
