import { ApiError } from '../api';
import type { EnvironmentHooks } from '../reconcile/environment/environmentReconciler';
import type { Handlers } from '../server/handlers';
import { requestedPort } from './gatewayPort';
import { SshGateway, type GatewayDeps } from './sshGateway';

export { SshGateway } from './sshGateway';
export { sshPaths } from './sshPaths';

export interface GatewayHost extends GatewayDeps {
  stateDir: string;
  extraHandlers: Partial<Handlers>;
  /** The environment reconciler's hooks: Ready waits for the environment's ssh_config entry. */
  hooks?: EnvironmentHooks;
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
  // Whoever asks where ssh_config is gets it complete on disk (written again if it went missing).
  host.extraHandlers.sshInfo = async () => {
    await g.flushConfig().catch((e: Error) => {
      throw new ApiError('Unavailable', `cannot write ${g.paths.config}: ${e.message}`, undefined, {
        cause: e,
      });
    });
    return g.info();
  };
  if (host.hooks) {
    // Ready (what `devrig up` and the editor wait for) is written after `prepare`: by then
    // `ssh devrig-<name>` must work, so its Host block is on disk first.
    const hooks = host.hooks;
    const previous = hooks.prepare;
    hooks.prepare = async (env, containerId, status) => {
      await previous?.(env, containerId, status);
      await g.flushConfig().catch((e: Error) => host.log(`ssh gateway: ${env.metadata.name}: ${e.message}`));
    };
  }
  return g;
}
