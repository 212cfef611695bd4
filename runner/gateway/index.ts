import { ApiError } from '../api';
import type { Handlers } from '../server/handlers';
import { requestedPort } from './gatewayPort';
import { SshGateway, type GatewayDeps } from './sshGateway';

export { SshGateway } from './sshGateway';
export { sshPaths } from './sshPaths';

export interface GatewayHost extends GatewayDeps {
  stateDir: string;
  extraHandlers: Partial<Handlers>;
}

/**
 * Starts the SSH gateway inside the runner and plugs in its API (`sshInfo`); the caller closes it. A gateway that cannot
 * start (its port taken, a damaged key file) leaves the rest of the runner working: the reason is
 * logged and `sshInfo` answers with it.
 */
export async function attachSshGateway(
  host: GatewayHost,
  opts: { port?: number } = {},
): Promise<SshGateway | undefined> {
  let gateway: SshGateway | undefined;
  try {
    gateway = await SshGateway.start(host, {
      stateDir: host.stateDir,
      port: requestedPort(opts.port, process.env),
    });
  } catch (e) {
    const reason = (e as Error).message;
    host.log(`ssh gateway: not started: ${reason}`);
    host.extraHandlers.sshInfo = async () => {
      throw new ApiError('Unavailable', `the SSH gateway did not start: ${reason}`);
    };
    return undefined;
  }
  const g = gateway;
  host.extraHandlers.sshInfo = async () => g.info();
  return g;
}
