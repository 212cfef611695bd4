// What devrig puts into a Compose project for an environment: the labels on every service, what
// devcontainer.json adds to the dev service, and what the services ask of the host. Pure but for
// reading the Compose files for positions.
import type { Environment } from '../../api';
import {
  composeKeyLocator,
  locateServiceRequest,
  serviceContainerRequest,
  type ComposeModel,
  type DevServiceSettings,
} from '../../compose';
import type { ResolvedDevcontainer } from '../../devcontainer';
import type { LocatedContainerRequest } from '../../policy/containerRequest';
import { allowancesOf } from '../../policy/hostAccess';
import { LABELS } from '../../providers/provider';
import { environmentHash, type EffectiveResources } from './containerSpec';
import { COMPOSE_SERVICE_KIND } from './steps/containerStep';

/** devrig's labels for every service container of an environment's project: labels stay the truth. */
export function composeLabels(
  env: Environment,
  runnerId: string,
  configHash: string,
): Record<string, string> {
  return {
    [LABELS.managed]: 'true',
    [LABELS.runner]: runnerId,
    [LABELS.kind]: COMPOSE_SERVICE_KIND,
    [LABELS.environment]: env.metadata.name,
    [LABELS.uid]: env.metadata.uid,
    [LABELS.specHash]: environmentHash(env),
    [LABELS.configHash]: configHash,
  };
}

/**
 * The user sessions and lifecycle commands run as in the dev service: remoteUser, containerUser, the
 * service's own `user`, then the image's (as the reference falls back to the container's user).
 */
export function composeRemoteUser(
  config: ResolvedDevcontainer,
  model: ComposeModel,
  service: string,
  imageUser: string,
): string {
  return config.remoteUser ?? config.containerUser ?? model.services[service]?.user ?? (imageUser || 'root');
}

export interface DevSettingsInput {
  env: Environment;
  /** The configuration as it applies to the dev service's image (merged with its metadata). */
  config: ResolvedDevcontainer;
  model: ComposeModel;
  service: string;
  /** The image devrig made for the dev service, when it differs from the service's own. */
  image?: string;
  remoteUser: string;
  /** The local workspace folder. */
  folder: string;
  resources: EffectiveResources;
}

/**
 * What devcontainer.json adds to the dev service, as the reference does: containerEnv (and spec.env),
 * containerUser, mounts, init/privileged/capAdd/securityOpt, the keep-alive command for overrideCommand,
 * GPUs, an image devrig made; and the environment's budgets, where the Compose file sets none (the
 * spec's own always apply).
 */
export function devServiceSettings(i: DevSettingsInput): DevServiceSettings {
  const { env, config } = i;
  const allowances = allowancesOf(env.spec);
  const own = i.model.services[i.service] as Record<string, unknown> | undefined;
  const fromSpec = env.spec.resources ?? {};
  const fileSetsBudgets =
    !!own && ['cpus', 'mem_limit', 'pids_limit', 'deploy'].some((k) => own[k] !== undefined);
  const applyBudgets = !fileSetsBudgets || Object.keys(fromSpec).length > 0;
  return {
    containerEnv: { ...config.containerEnv, ...env.spec.env },
    ...(config.containerUser ? { containerUser: config.containerUser } : {}),
    init: config.init,
    // Consent was judged before; privileged is checked against the spec's allowances all the same.
    privileged: config.privileged && allowances.has('privileged'),
    capAdd: config.capAdd,
    securityOpt: config.securityOpt,
    mounts: config.mounts,
    overrideCommand: config.overrideCommand,
    ...(i.image ? { image: i.image } : {}),
    ...(i.resources.gpus ? { gpus: true } : {}),
    ...(applyBudgets
      ? {
          resources: {
            cpus: i.resources.cpus,
            memoryBytes: i.resources.memoryBytes,
            pids: i.resources.pids,
          },
        }
      : {}),
    labels: {
      [LABELS.workspaceFolder]: config.workspaceFolder,
      [LABELS.remoteUser]: i.remoteUser,
      // What the Dev Containers extension reads to recognise a dev container.
      'devcontainer.local_folder': i.folder,
      'devcontainer.config_file': config.configFile,
    },
  };
}

/**
 * What the services that will start ask of the host, each located in the Compose files, for the one
 * consent policy. Services that are only defined (not in runServices) ask nothing until they start.
 */
export async function serviceHostRequests(
  model: ComposeModel,
  services: readonly string[],
  files: readonly string[],
): Promise<LocatedContainerRequest[]> {
  const requests = services.flatMap((s) => {
    const service = model.services[s];
    return service ? [serviceContainerRequest(s, service)] : [];
  });
  const needsPositions = requests.some(
    (r) =>
      r.privileged ||
      r.capAdd.length ||
      r.securityOpt.length ||
      r.devices.length ||
      r.network ||
      r.pid ||
      r.ipc ||
      r.uts ||
      r.userns ||
      r.bindMounts.length,
  );
  if (!needsPositions) return [];
  const at = await composeKeyLocator(files);
  return requests.flatMap((r) => locateServiceRequest(r, at));
}

/** Whether the dev service bind-mounts the local workspace folder (or a folder around it). */
export function bindsWorkspace(model: ComposeModel, service: string, folder: string): boolean {
  const inside = (a: string, b: string) => a === b || a.startsWith(b.endsWith('/') ? b : `${b}/`);
  return (model.services[service]?.volumes ?? []).some(
    (v) => v.type === 'bind' && !!v.source && (inside(folder, v.source) || inside(v.source, folder)),
  );
}

/** Where the workspace volume replaces the dev service's bind mount of the folder (a remote engine). */
export function workspaceVolumeTarget(
  model: ComposeModel,
  service: string,
  folder: string,
): string | undefined {
  return model.services[service]?.volumes?.find((v) => v.type === 'bind' && v.source === folder)?.target;
}
