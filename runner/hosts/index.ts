import type { HandlersFor, HostMethod } from '../server/handlers';
import { Hosts, type HostsDeps } from './hosts';

export { Hosts } from './hosts';

/**
 * Plugs remote hosts into the runner: the Host controller, placement for the environment
 * reconciler (`place`, `providerFor`) and the `host.acceptKey` call. Call `start()` once the
 * environment controller exists (placement changes queue environments), and `stop()` before the
 * add-ons close (the runner does both).
 */
export function attachHosts(deps: HostsDeps): { hosts: Hosts; handlers: HandlersFor<HostMethod> } {
  const hosts = new Hosts(deps);
  return { hosts, handlers: { 'host.acceptKey': async (p) => hosts.acceptKey(p.name, p.hostKey) } };
}
