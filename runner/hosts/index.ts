import type { Handlers } from '../server/handlers';
import { Hosts, type HostsDeps } from './hosts';

export { Hosts } from './hosts';

export interface HostsAttachment extends HostsDeps {
  extraHandlers: Partial<Handlers>;
}

/**
 * Plugs remote hosts into the runner: the Host controller, placement for the environment
 * reconciler (`place`, `providerFor`) and the `host.acceptKey` call. Call `start()` once the
 * environment controller exists (placement changes queue environments), and `stop()` before the
 * add-ons close (the runner does both).
 */
export function attachHosts(a: HostsAttachment): Hosts {
  const hosts = new Hosts(a);
  a.extraHandlers['host.acceptKey'] = async (p) => hosts.acceptKey(p.name, p.hostKey);
  return hosts;
}
