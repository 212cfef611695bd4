import type Docker from 'dockerode';
import type { ImageRequest } from '../provider';

type BuildRequest = Extract<ImageRequest, { kind: 'build' }>;

/**
 * The Engine API's build parameters for a build request, build.options included (their build-args
 * and labels win over the config's, as later `--build-arg` flags do for the docker CLI). Pure.
 */
export function engineBuildParams(req: BuildRequest, dockerfileInTar: string): Docker.ImageBuildOptions {
  const o = req.options;
  const params: Record<string, unknown> = {
    t: req.tag,
    dockerfile: dockerfileInTar,
    buildargs: { ...req.args, ...o?.buildArgs },
    target: o?.target ?? req.target ?? '',
    nocache: req.noCache === true || o?.noCache === true,
    labels: { ...o?.labels, ...req.labels },
    rm: true,
    forcerm: true,
  };
  if (!o) return params as Docker.ImageBuildOptions;
  const optional: Record<string, unknown> = {
    pull: o.pull,
    platform: o.platform,
    networkmode: o.network,
    // The daemon reads extra hosts as one comma-separated value.
    extrahosts: o.extraHosts.length ? o.extraHosts.join(',') : undefined,
    cachefrom: o.cacheFrom.length ? JSON.stringify(o.cacheFrom) : undefined,
    shmsize: o.shmSize,
    memory: o.memory,
    memswap: o.memorySwap,
    cpushares: o.cpuShares,
    cpusetcpus: o.cpusetCpus,
    cpuperiod: o.cpuPeriod,
    cpuquota: o.cpuQuota,
    cgroupparent: o.cgroupParent,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) params[key] = value;
  return params as Docker.ImageBuildOptions;
}
