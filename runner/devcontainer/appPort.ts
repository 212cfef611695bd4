import { ConfigError, configWarning, type ConfigWarning } from './errors';
import type { SourceMap } from './sourceMap';

/** A container port published on the engine's host, as `docker run -p` does it. */
export type PublishedPort = {
  hostIp: string;
  /** Undefined: the engine picks a free port. */
  hostPort?: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
};

/** appPort is published on the loopback only: nothing of an environment is exposed to the network. */
export const APP_PORT_HOST_IP = '127.0.0.1';
const LOOPBACK = new Set(['127.0.0.1', 'localhost']);
const MAX_RANGE = 1000;

type Range = { first: number; last: number };

class AppPortError extends Error {}

function portRange(text: string, what: string, allowEmpty: boolean): Range | undefined {
  if (text === '' && allowEmpty) return undefined;
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!match) throw new AppPortError(`${what} "${text}" is not a port number or a range like 3000-3005`);
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  for (const port of [first, last]) {
    if (port < 1 || port > 65535) throw new AppPortError(`${what} ${port} must be between 1 and 65535`);
  }
  if (last < first) throw new AppPortError(`${what} range "${text}" ends before it starts`);
  if (last - first >= MAX_RANGE)
    throw new AppPortError(`${what} range "${text}" is larger than ${MAX_RANGE}`);
  return { first, last };
}

/**
 * One appPort entry: `3000`, `"3000"`, `"8080:80"`, `"127.0.0.1:8080:80"`, `"127.0.0.1::80"`, an optional
 * `/tcp` or `/udp`, and equal-length ranges. The host address is always the loopback; another one is
 * replaced and reported (in `rebound`).
 */
export function parseAppPort(entry: number | string): { ports: PublishedPort[]; rebound?: string } {
  if (typeof entry === 'number') {
    const range = portRange(String(entry), 'port', false)!;
    return {
      ports: [
        { hostIp: APP_PORT_HOST_IP, hostPort: range.first, containerPort: range.first, protocol: 'tcp' },
      ],
    };
  }
  const slash = entry.lastIndexOf('/');
  const protocolText = slash < 0 ? 'tcp' : entry.slice(slash + 1);
  if (protocolText !== 'tcp' && protocolText !== 'udp') {
    throw new AppPortError(`protocol "${protocolText}" must be tcp or udp`);
  }
  const parts = (slash < 0 ? entry : entry.slice(0, slash)).split(':');
  if (parts.length > 3)
    throw new AppPortError(`"${entry}" must look like 3000, "8080:80" or "127.0.0.1:8080:80"`);
  const [ip, hostText, containerText] =
    parts.length === 3
      ? parts
      : parts.length === 2
        ? [undefined, parts[0], parts[1]]
        : [undefined, parts[0], parts[0]];
  const container = portRange(containerText ?? '', 'container port', false)!;
  const host = portRange(hostText ?? '', 'host port', parts.length === 3);
  if (host && host.last - host.first !== container.last - container.first) {
    throw new AppPortError(`"${entry}": the host and container ranges differ in length`);
  }
  const rebound = ip !== undefined && !LOOPBACK.has(ip) ? ip : undefined;
  const ports: PublishedPort[] = [];
  for (let i = 0; i <= container.last - container.first; i++) {
    ports.push({
      hostIp: APP_PORT_HOST_IP,
      ...(host ? { hostPort: host.first + i } : {}),
      containerPort: container.first + i,
      protocol: protocolText,
    });
  }
  return rebound === undefined ? { ports } : { ports, rebound };
}

/** appPort (one entry or an array) → published ports, with file:line:col for what is wrong. */
export function resolveAppPorts(
  value: number | string | (number | string)[] | undefined,
  where: { file: string; sourceMap: SourceMap },
  warnings: ConfigWarning[],
): PublishedPort[] {
  if (value === undefined) return [];
  const entries = Array.isArray(value) ? value : [value];
  const out: PublishedPort[] = [];
  entries.forEach((entry, index) => {
    const at = Array.isArray(value) ? ['appPort', index] : ['appPort'];
    const property = Array.isArray(value) ? `appPort[${index}]` : 'appPort';
    try {
      const { ports, rebound } = parseAppPort(entry);
      out.push(...ports);
      if (rebound !== undefined) {
        const message = `"${property}": published on ${APP_PORT_HOST_IP} instead of ${rebound}; devrig never publishes ports beyond this machine's loopback`;
        warnings.push(configWarning(where.file, property, message, where.sourceMap.valueAt(at)));
      }
    } catch (error) {
      if (!(error instanceof AppPortError)) throw error;
      throw new ConfigError(
        {
          code: 'Invalid',
          file: where.file,
          message: `"${property}" ${error.message}`,
          position: where.sourceMap.valueAt(at),
          property,
        },
        { cause: error },
      );
    }
  });
  return out;
}
