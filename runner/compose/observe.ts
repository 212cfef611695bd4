import type { ContainerObservation, ContainerProvider, ContainerState } from '../providers/provider';
import { LABELS } from '../providers/provider';
import { COMPOSE_SERVICE_LABEL } from './override';

/** Compose's own labels on the containers it creates. */
export const COMPOSE_LABELS = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  oneoff: 'com.docker.compose.oneoff',
  configFiles: 'com.docker.compose.project.config_files',
} as const;

/** One service as observed through its container's labels. */
export interface ServiceObservation {
  service: string;
  /** The container's state, or `missing` when the service has no container. */
  state: ContainerState | 'missing';
  running: boolean;
  /** Part of what `up` starts (runServices and the dev service). */
  wanted: boolean;
  containerId?: string;
  containerName?: string;
  startedAt?: string;
  exitCode?: number;
  specHash?: string;
  configHash?: string;
}

function serviceOf(c: ContainerObservation): string | undefined {
  return c.labels[COMPOSE_SERVICE_LABEL] ?? c.labels[COMPOSE_LABELS.service];
}

/** A running container over a stopped one, then the one started last. */
function better(a: ContainerObservation, b: ContainerObservation): ContainerObservation {
  if (a.running !== b.running) return a.running ? a : b;
  return a.startedAt >= b.startedAt ? a : b;
}

/**
 * Each service of the project with its container, from containers found by devrig's labels. One-off
 * containers (`compose run`) are not a service's container. Pure.
 */
export function observeServices(
  services: readonly string[],
  wanted: readonly string[],
  containers: readonly ContainerObservation[],
): ServiceObservation[] {
  const byService = new Map<string, ContainerObservation>();
  for (const c of containers) {
    if (c.labels[COMPOSE_LABELS.oneoff] === 'True') continue;
    const service = serviceOf(c);
    if (service === undefined) continue;
    const seen = byService.get(service);
    byService.set(service, seen ? better(seen, c) : c);
  }
  const names = [...new Set([...services, ...byService.keys()])];
  return names.map((service) => {
    const c = byService.get(service);
    const base = { service, wanted: wanted.includes(service) };
    if (!c) return { ...base, state: 'missing', running: false };
    return {
      ...base,
      state: c.state,
      running: c.running,
      containerId: c.id,
      containerName: c.name,
      startedAt: c.startedAt,
      exitCode: c.exitCode,
      ...(c.labels[LABELS.specHash] ? { specHash: c.labels[LABELS.specHash] } : {}),
      ...(c.labels[LABELS.configHash] ? { configHash: c.labels[LABELS.configHash] } : {}),
    };
  });
}

/**
 * Containers of the Compose project that devrig did not create for this environment (a project of
 * the same name started by hand, or by another tool): devrig must not adopt, recreate or remove them.
 */
export function foreignContainers(
  projectContainers: readonly ContainerObservation[],
  runnerId: string,
  uid: string,
): ContainerObservation[] {
  return projectContainers.filter(
    (c) => c.labels[LABELS.runner] !== runnerId || c.labels[LABELS.uid] !== uid,
  );
}

export type ComposeAction =
  | { type: 'none' }
  | { type: 'stop'; reason: string }
  /** `up --no-recreate`: create what is missing, start what is stopped, leave the rest alone. */
  | { type: 'up'; reason: string }
  /** `up` letting Compose recreate what changed (the environment's spec did). */
  | { type: 'recreate'; reason: string };

/** What to do for a Compose environment, from what is observed. Pure. */
export function decideComposeAction(input: {
  desired: 'Running' | 'Stopped';
  observed: readonly ServiceObservation[];
  specHash: string;
  /** Spec hashes older runners labelled with that still count as current. */
  acceptedSpecHashes?: readonly string[];
  /** One-shot services (see oneShotServices): exited with 0, they are done, not stopped. */
  oneShot?: ReadonlySet<string>;
}): ComposeAction {
  const present = input.observed.filter((o) => o.state !== 'missing');
  if (input.desired === 'Stopped') {
    const running = present.filter((o) => o.running).map((o) => o.service);
    return running.length ? { type: 'stop', reason: `${running.join(', ')} running` } : { type: 'none' };
  }
  const accepted = new Set([input.specHash, ...(input.acceptedSpecHashes ?? [])]);
  const changed = present.filter((o) => !accepted.has(o.specHash ?? '')).map((o) => o.service);
  if (changed.length > 0)
    return { type: 'recreate', reason: `the environment changed (${changed.join(', ')})` };
  const missing = input.observed.filter((o) => o.wanted && o.state === 'missing').map((o) => o.service);
  const stopped = input.observed
    .filter((o) => o.wanted && o.state !== 'missing' && !o.running && !isDone(o, input.oneShot))
    .map((o) => o.service);
  if (missing.length || stopped.length) {
    const parts = [
      ...(missing.length ? [`no container for ${missing.join(', ')}`] : []),
      ...(stopped.length ? [`${stopped.join(', ')} not running`] : []),
    ];
    return { type: 'up', reason: parts.join('; ') };
  }
  return { type: 'none' };
}

/** A one-shot service that ran to success: not to be started again. */
export function isDone(o: ServiceObservation, oneShot: ReadonlySet<string> | undefined): boolean {
  return !!oneShot?.has(o.service) && o.state === 'exited' && o.exitCode === 0;
}

/** Services whose container was made from another configuration than `configHash` (UpToDate=False). */
export function configDriftedServices(observed: readonly ServiceObservation[], configHash: string): string[] {
  return observed
    .filter((o) => o.configHash !== undefined && o.configHash !== configHash)
    .map((o) => o.service);
}

/** Finds this environment's containers by devrig's labels and maps them to services. */
export async function observeProject(
  provider: Pick<ContainerProvider, 'findContainers'>,
  selector: { runnerId: string; uid: string },
  services: readonly string[],
  wanted: readonly string[],
): Promise<ServiceObservation[]> {
  const containers = await provider.findContainers({
    [LABELS.runner]: selector.runnerId,
    [LABELS.uid]: selector.uid,
  });
  return observeServices(services, wanted, containers);
}

/** Containers carrying the project's Compose label that are not this environment's (see foreignContainers). */
export async function findForeignContainers(
  provider: Pick<ContainerProvider, 'findContainers'>,
  projectName: string,
  selector: { runnerId: string; uid: string },
): Promise<ContainerObservation[]> {
  const all = await provider.findContainers({ [COMPOSE_LABELS.project]: projectName });
  return foreignContainers(all, selector.runnerId, selector.uid);
}

const ANONYMOUS_VOLUME = /^[0-9a-f]{64}$/;

/** Anonymous volumes (engine-named, 64 hex digits) mounted by these containers. Pure. */
export function anonymousVolumes(containers: readonly ContainerObservation[]): string[] {
  return [...new Set(containers.flatMap((c) => (c.volumes ?? []).filter((v) => ANONYMOUS_VOLUME.test(v))))];
}
