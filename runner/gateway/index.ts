import { ApiError } from '../api';
import type { HandlersFor, SshMethod } from '../server/handlers';
import { requestedPort } from './gatewayPort';
import type { GatewayDeps } from './gatewayDeps';
import { SshGateway } from './sshGateway';

export { SshGateway } from './sshGateway';
export { sshPaths } from '../state/sshPaths';

export interface GatewayHost extends GatewayDeps {
  stateDir: string;
}

/**
 * Starts the SSH gateway inside the runner, with its API (`sshInfo`); the caller closes it. A gateway that cannot
 * start (its port taken, a damaged key file) leaves the rest of the runner working: the reason is
 * logged and `sshInfo` answers with it.
 */
export async function attachSshGateway(
  host: GatewayHost,
  opts: { port?: number } = {},
): Promise<{ gateway?: SshGateway; handlers: HandlersFor<SshMethod> }> {
  let gateway: SshGateway | undefined;
  try {
    gateway = await SshGateway.start(host, {
      stateDir: host.stateDir,
      port: requestedPort(opts.port, process.env),
    });
  } catch (e) {
    const reason = (e as Error).message;
    host.log(`ssh gateway: not started: ${reason}`);
    const sshInfo = async (): Promise<never> => {
      throw new ApiError('Unavailable', `the SSH gateway did not start: ${reason}`);
    };
    return { handlers: { sshInfo } };
  }
  const g = gateway;
  // Whoever asks where ssh_config is gets it complete on disk (written again if it went missing).
  const sshInfo = async () => {
    await g.flushConfig().catch((e: Error) => {
      throw new ApiError('Unavailable', `cannot write ${g.paths.config}: ${e.message}`, undefined, {
        cause: e,
      });
    });
    return g.info();
  };
  return { gateway: g, handlers: { sshInfo } };
}
