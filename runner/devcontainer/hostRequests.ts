// What devcontainer.json's own properties and runArgs ask of the container, item by item with where each
// is written, for the host access policy (runner/policy) to judge like any other source.

import type { ContainerRequest, LocatedContainerRequest, RequestSource } from '../policy/containerRequest';
import type { Mount } from './mounts';
import type { PropertyPath } from './propertyPath';
import { formatPropertyPath } from './propertyPath';
import { parseRunArgs, runArgGroups, type RunArgOptions } from './runArgs';
import type { DevcontainerConfig } from './schema';
import type { SourceMap } from './sourceMap';

/** runArgs' options as a ContainerRequest. */
export function runArgsRequest(o: RunArgOptions): ContainerRequest {
  return {
    ...(o.privileged ? { privileged: true } : {}),
    devices: o.devices,
    capAdd: o.capAdd,
    securityOpt: o.securityOpt,
    mounts: o.mounts,
    networkMode: o.network,
    pidMode: o.pid,
    ipcMode: o.ipc,
    utsMode: o.uts,
    usernsMode: o.userns,
    memoryBytes: o.memory,
    pidsLimit: o.pidsLimit,
  };
}

export type ConfigRequestsInput = {
  /** The config with variables substituted. */
  config: DevcontainerConfig;
  file: string;
  sourceMap: SourceMap;
  /** `mounts`, parsed, in config order. */
  mounts: readonly Mount[];
  workspaceMount?: Mount;
};

/** One located request per privileged/capAdd/securityOpt/mounts item, workspaceMount and runArgs flag. */
export function configHostRequests(input: ConfigRequestsInput): LocatedContainerRequest[] {
  const { config, file, sourceMap } = input;
  const out: LocatedContainerRequest[] = [];
  const at = (path: PropertyPath, origin: RequestSource['origin'] = 'property', written?: string) => {
    const position = sourceMap.valueAt(path);
    return {
      origin,
      property: formatPropertyPath(path),
      ...(written !== undefined ? { written } : {}),
      file,
      ...(position ? { line: position.line, col: position.column } : {}),
    };
  };
  if (config.privileged) out.push({ request: { privileged: true }, source: at(['privileged']) });
  (config.capAdd ?? []).forEach((cap, i) =>
    out.push({ request: { capAdd: [cap] }, source: at(['capAdd', i]) }),
  );
  (config.securityOpt ?? []).forEach((opt, i) =>
    out.push({ request: { securityOpt: [opt] }, source: at(['securityOpt', i]) }),
  );
  input.mounts.forEach((mount, i) => out.push({ request: { mounts: [mount] }, source: at(['mounts', i]) }));
  if (input.workspaceMount) {
    out.push({ request: { workspaceMount: input.workspaceMount }, source: at(['workspaceMount']) });
  }
  for (const group of runArgGroups(config.runArgs ?? [])) {
    out.push({
      request: runArgsRequest(parseRunArgs(group.args).options),
      source: at(['runArgs', group.index], 'runArgs', group.args.join(' ')),
    });
  }
  return out;
}
