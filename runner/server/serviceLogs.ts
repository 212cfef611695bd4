import { ApiError, type Environment } from '../api';
import type { ContainerProvider } from '../providers/provider';

/**
 * `devrig logs NAME --service db`: the output of one of a Compose environment's service containers
 * (what `docker compose logs db` shows), from the container the environment's status names.
 */
export async function serviceLogs(
  env: Environment,
  service: string,
  provider: ContainerProvider | undefined,
  opts: { follow: boolean; tail?: number; signal: AbortSignal },
  onData: (data: string) => void,
): Promise<void> {
  const services = env.status.services;
  const name = env.metadata.name;
  if (!services) throw new ApiError('Invalid', `environment "${name}" is not a Docker Compose environment`);
  const found = services.find((s) => s.name === service);
  if (!found) {
    throw new ApiError(
      'NotFound',
      `environment "${name}" has no service "${service}" (services: ${services.map((s) => s.name).join(', ')})`,
    );
  }
  if (!found.containerId)
    throw new ApiError('Unavailable', `service "${service}" of "${name}" has no container`);
  if (!provider?.containerLogs)
    throw new ApiError('Unavailable', `environment "${name}" has no container engine`);
  await provider.containerLogs(
    found.containerId,
    { follow: opts.follow, ...(opts.tail !== undefined ? { tail: opts.tail } : {}), signal: opts.signal },
    (line) => onData(`${line}\n`),
  );
}
