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
    HostConfig: dropUndefined(hostConfig),
  };
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
