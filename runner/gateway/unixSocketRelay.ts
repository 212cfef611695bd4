import type { Duplex } from 'node:stream';
import { relayCommand, relayStream, RELAY_ENV } from '../providers/execRelay';
import type { SessionTarget } from '../reconcile/environment/sessions';

/**
 * `direct-streamlocal@openssh.com` (ssh -L PORT:/path/to.sock): the provider's exec relay, run as
 * the remote user, connecting to the unix socket inside the environment.
 */
export async function connectUnixSocket(target: SessionTarget, path: string): Promise<Duplex> {
  const p = await target.provider.exec(target.containerId, {
    cmd: relayCommand({ socketPath: path }),
    env: RELAY_ENV,
    user: target.user,
    tty: false,
    stdin: true,
  });
  return relayStream(p, path);
}
