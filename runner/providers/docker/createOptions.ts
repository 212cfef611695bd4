import type Docker from 'dockerode';
import type { ContainerSpec } from '../provider';

/** ContainerSpec → the Engine API's create body. Pure, so it is table-tested. */
export function dockerCreateOptions(spec: ContainerSpec): Docker.ContainerCreateOptions {
  const hostConfig: Docker.HostConfig = {
    Init: spec.init,
    Privileged: spec.privileged,
    CapAdd: spec.capAdd.length ? spec.capAdd : undefined,
    CapDrop: spec.capDrop.length ? spec.capDrop : undefined,
    SecurityOpt: spec.securityOpt.length ? spec.securityOpt : undefined,
    NanoCpus: spec.nanoCpus,
    Memory: spec.memoryBytes,
    // No extra swap beyond the memory budget: a budget should mean what it says.
    MemorySwap: spec.memoryBytes,
    PidsLimit: spec.pidsLimit,
    ShmSize: spec.shmSizeBytes,
    Ulimits: spec.ulimits.length
      ? spec.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard }))
      : undefined,
    ExtraHosts: spec.extraHosts.length ? spec.extraHosts : undefined,
    Dns: spec.dns.length ? spec.dns : undefined,
    NetworkMode: spec.network,
    PidMode: spec.pidMode,
    IpcMode: spec.ipcMode,
    UTSMode: spec.utsMode,
    UsernsMode: spec.usernsMode,
    Devices: spec.devices.length
      ? spec.devices.map((d) => {
          const [host, container, perms] = d.split(':');
          return {
            PathOnHost: host!,
            PathInContainer: container ?? host!,
            CgroupPermissions: perms ?? 'rwm',
          };
        })
      : undefined,
    PortBindings: spec.ports?.length ? portBindings(spec.ports) : undefined,
    // All GPUs, as `docker run --gpus all` asks for them.
    DeviceRequests: spec.gpus
      ? [{ Driver: '', Count: -1, DeviceIDs: [], Capabilities: [['gpu']], Options: {} }]
      : undefined,
    Mounts: spec.mounts.map((m) => ({
      Type: m.type,
      Source: m.source ?? '',
      Target: m.target,
      ReadOnly: m.readOnly,
    })),
    // Never restart on its own: the reconciler decides, and a stopped environment must stay stopped.
    RestartPolicy: { Name: '' },
  };
  return {
    name: spec.name,
    Image: spec.image,
    Labels: spec.labels,
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    User: spec.user,
    Entrypoint: spec.entrypoint,
    Cmd: spec.cmd,
    WorkingDir: spec.workdir,
    Hostname: spec.hostname,
    ExposedPorts: spec.ports?.length
      ? Object.fromEntries(spec.ports.map((p) => [`${p.containerPort}/${p.protocol}`, {}]))
      : undefined,
    HostConfig: dropUndefined(hostConfig),
    // A query parameter of the create call (Engine API 1.41+), not part of the body.
    ...(spec.platform ? { platform: spec.platform } : {}),
  };
}

function portBindings(ports: NonNullable<ContainerSpec['ports']>): Docker.PortMap {
  const map: Docker.PortMap = {};
  for (const p of ports) {
    const key = `${p.containerPort}/${p.protocol}`;
    (map[key] ??= []).push({
      HostIp: p.hostIp,
      HostPort: p.hostPort === undefined ? '' : String(p.hostPort),
    });
  }
  return map;
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
