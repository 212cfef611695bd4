import { configWarning, type ConfigWarning } from './errors';
import { splitHostPort } from './schema';
import type { SourceMap } from './sourceMap';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1']);

/**
 * forwardPorts as container port numbers, first mention wins. `"localhost:3000"` is port 3000 of the
 * container; a port of another host (`"db:5432"`, a Compose service) cannot be reached and is warned about.
 */
export function normalizeForwardPorts(
  ports: readonly (number | string)[],
  file: string,
  sourceMap: SourceMap,
): { ports: number[]; warnings: ConfigWarning[] } {
  const seen = new Set<number>();
  const warnings: ConfigWarning[] = [];
  ports.forEach((entry, index) => {
    let port: number | undefined = typeof entry === 'number' ? entry : undefined;
    if (typeof entry === 'string') {
      const hostPort = splitHostPort(entry);
      if (hostPort && LOCAL_HOSTS.has(hostPort.host)) port = hostPort.port;
      else {
        const property = `forwardPorts[${index}]`;
        const message = `"${property}": "${entry}" is a port on another host, which devrig cannot forward; it was ignored`;
        warnings.push(configWarning(file, property, message, sourceMap.valueAt(['forwardPorts', index])));
      }
    }
    if (port !== undefined) seen.add(port);
  });
  return { ports: [...seen], warnings };
}
