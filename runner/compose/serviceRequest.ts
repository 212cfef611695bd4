import type { ComposeModel, ComposeService } from './composeModel';

/** Where a container request comes from: here, a service of the user's Compose files. */
export type RequestProvenance = { origin: 'compose'; name: string };

/**
 * What one Compose service asks of the host, in the shape devrig's own container options use, so
 * one host-access policy can judge runArgs, devcontainer.json, Features and Compose services alike.
 * Everything here reaches beyond an ordinary container when present.
 */
export interface ServiceContainerRequest {
  provenance: RequestProvenance;
  privileged: boolean;
  capAdd: string[];
  securityOpt: string[];
  /** Host devices, `host[:container[:permissions]]`. */
  devices: string[];
  /** `host`, `container:…`, `service:…` or a network name (Compose's own networks are not listed). */
  network?: string;
  pid?: string;
  ipc?: string;
  userns?: string;
  uts?: string;
  cgroup?: string;
  /** Host paths mounted into the container. */
  bindMounts: { source: string; target: string; readOnly: boolean }[];
  /** Ports published on the host, with the address they listen on (`0.0.0.0` when the file gives none). */
  publishedPorts: { hostIp: string; hostPort?: string; containerPort: number; protocol: string }[];
  /** Other containers whose volumes it mounts. */
  volumesFrom: string[];
}

function device(d: NonNullable<ComposeService['devices']>[number]): string {
  if (typeof d === 'string') return d;
  return [d.source, d.target ?? d.source, d.permissions].filter(Boolean).join(':');
}

/** One service's request. Pure. */
export function serviceContainerRequest(name: string, s: ComposeService): ServiceContainerRequest {
  return {
    provenance: { origin: 'compose', name },
    privileged: s.privileged === true,
    capAdd: [...(s.cap_add ?? [])],
    securityOpt: [...(s.security_opt ?? [])],
    devices: (s.devices ?? []).map(device),
    ...(s.network_mode ? { network: s.network_mode } : {}),
    ...(s.pid ? { pid: s.pid } : {}),
    ...(s.ipc ? { ipc: s.ipc } : {}),
    ...(s.userns_mode ? { userns: s.userns_mode } : {}),
    ...(s.uts ? { uts: s.uts } : {}),
    ...(s.cgroup ? { cgroup: s.cgroup } : {}),
    bindMounts: (s.volumes ?? [])
      .filter((v) => v.type === 'bind' && v.source)
      .map((v) => ({ source: v.source!, target: v.target, readOnly: v.read_only === true })),
    // Every `ports` entry is published; without `published` on a port the engine picks.
    publishedPorts: (s.ports ?? []).map((p) => ({
      hostIp: p.host_ip || '0.0.0.0',
      ...(p.published !== undefined && p.published !== '' ? { hostPort: String(p.published) } : {}),
      containerPort: p.target,
      protocol: p.protocol ?? 'tcp',
    })),
    volumesFrom: [...(s.volumes_from ?? [])],
  };
}

/** Every service's request, in the project's order. */
export function serviceContainerRequests(model: ComposeModel): ServiceContainerRequest[] {
  return Object.entries(model.services).map(([name, s]) => serviceContainerRequest(name, s));
}
