import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigError, configWarning, type ConfigWarning } from './errors';
import { formatPropertyPath, type PropertyPath } from './propertyPath';
import { splitHostPort, type DevcontainerConfig } from './schema';
import type { SourceMap } from './sourceMap';

/** A forwardPorts entry naming another Compose service: `"db:5432"`. */
export type ComposeForwardPort = { service: string; port: number };

/** The Docker Compose side of a devcontainer.json (`dockerComposeFile` and what goes with it). */
export type ResolvedCompose = {
  /** Absolute paths of the user's Compose files, in the order they are given to Compose. */
  files: string[];
  /** The service the environment is (sessions, lifecycle commands and the workspace land there). */
  service: string;
  /** Undefined: every service Compose starts by default. The dev service always runs too. */
  runServices?: string[];
  shutdownAction: 'none' | 'stopCompose';
  /** forwardPorts entries that name another service; checked against the project once it is read. */
  servicePorts: ComposeForwardPort[];
};

type Where = { file: string; sourceMap: SourceMap };

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1']);

function invalid(where: Where, at: PropertyPath, message: string, key = false): ConfigError {
  const property = formatPropertyPath(at);
  return new ConfigError({
    code: 'Invalid',
    file: where.file,
    message,
    position: key ? where.sourceMap.keyAt(at) : where.sourceMap.valueAt(at),
    property,
  });
}

/**
 * forwardPorts split for a Compose config: `"db:5432"` names a service of the project (forwarded from
 * that service's container); numbers and `localhost:N` are ports of the dev service.
 */
export function splitComposeForwardPorts(ports: readonly (number | string)[]): {
  own: (number | string)[];
  services: ComposeForwardPort[];
} {
  const own: (number | string)[] = [];
  const services: ComposeForwardPort[] = [];
  for (const entry of ports) {
    const hostPort = typeof entry === 'string' ? splitHostPort(entry) : undefined;
    if (hostPort && !LOCAL_HOSTS.has(hostPort.host))
      services.push({ service: hostPort.host, port: hostPort.port });
    else own.push(entry);
  }
  return { own, services };
}

/** Properties of single-container configs that Compose configs do not use (as the reference ignores them). */
const NOT_FOR_COMPOSE: Record<string, string> = {
  image:
    '"image" is ignored for Docker Compose configurations; the service\'s image in the Compose file is used',
  build:
    '"build" is ignored for Docker Compose configurations; the service\'s build in the Compose file is used',
  dockerFile: '"dockerFile" is ignored for Docker Compose configurations',
  workspaceMount:
    '"workspaceMount" is ignored for Docker Compose configurations; the Compose file mounts the workspace',
  runArgs: '"runArgs" is ignored for Docker Compose configurations; set these options in the Compose file',
  appPort: '"appPort" is ignored for Docker Compose configurations; publish ports in the Compose file',
};

/**
 * Reads dockerComposeFile (a string or an array, relative to devcontainer.json's folder), service,
 * runServices and shutdownAction. Compose itself reads `.env` beside the first file (its project
 * folder), so devrig passes no --env-file. Every file must exist.
 */
export async function resolveComposeProperties(
  config: DevcontainerConfig,
  configFolder: string,
  where: Where,
  warnings: ConfigWarning[],
): Promise<ResolvedCompose> {
  const written = config.dockerComposeFile ?? [];
  const list = typeof written === 'string' ? [written] : written;
  if (list.length === 0 || list.some((f) => f.trim() === '')) {
    const index = list.findIndex((f) => f.trim() === '');
    const at: PropertyPath =
      index < 0 || typeof written === 'string' ? ['dockerComposeFile'] : ['dockerComposeFile', index];
    throw invalid(where, at, `"${formatPropertyPath(at)}" must name a Compose file`);
  }
  const files = list.map((f) => path.resolve(configFolder, f));
  for (const [index, file] of files.entries()) {
    const stats = await stat(file).catch(() => undefined);
    if (stats?.isFile()) continue;
    const at: PropertyPath =
      typeof written === 'string' ? ['dockerComposeFile'] : ['dockerComposeFile', index];
    throw invalid(where, at, `Compose file ${file} does not exist`);
  }
  if (!config.service) {
    throw invalid(
      where,
      ['dockerComposeFile'],
      '"service" is required with "dockerComposeFile": name the service to work in',
      true,
    );
  }
  for (const [key, message] of Object.entries(NOT_FOR_COMPOSE)) {
    if ((config as Record<string, unknown>)[key] !== undefined) {
      warnings.push(configWarning(where.file, key, message, where.sourceMap.keyAt([key])));
    }
  }
  let shutdownAction: ResolvedCompose['shutdownAction'] = 'stopCompose';
  if (config.shutdownAction === 'none') shutdownAction = 'none';
  else if (config.shutdownAction === 'stopContainer') {
    const message =
      '"shutdownAction": "stopContainer" does not apply to Docker Compose; "stopCompose" is used';
    warnings.push(
      configWarning(where.file, 'shutdownAction', message, where.sourceMap.valueAt(['shutdownAction'])),
    );
  }
  // An empty list means every service, as the reference reads it.
  const runServices = config.runServices?.length ? [...new Set(config.runServices)] : undefined;
  return {
    files,
    service: config.service,
    ...(runServices ? { runServices } : {}),
    shutdownAction,
    servicePorts: splitComposeForwardPorts(config.forwardPorts ?? []).services,
  };
}
