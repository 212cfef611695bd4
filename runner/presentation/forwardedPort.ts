// Where a forwarded port of an environment can be reached from this machine: the runner holds the forward
// on 127.0.0.1 and says in PortStatus.url how a browser opens it (https when portsAttributes says so).
// The tree, the details panel and Open Port all read it from here. Pure, and free of Node APIs (the
// webview imports it too).

import type { Environment, PortStatus } from '../api';

export interface ForwardedPort {
  port: PortStatus;
  localPort: number;
  /** `127.0.0.1:43121`, where the forward listens. */
  address: string;
  /** What to open in a browser: the runner's `url`, else `http://127.0.0.1:<localPort>`. */
  url: string;
}

/** `port` as forwarded now, or undefined when it is not (yet) forwarded. */
export function forwardOf(port: PortStatus): ForwardedPort | undefined {
  if (port.state !== 'Forwarded' || port.localPort === undefined) return undefined;
  const address = `127.0.0.1:${port.localPort}`;
  return { port, localPort: port.localPort, address, url: port.url ?? `http://${address}` };
}

/** Port `port` of environment `name` as forwarded now; throws a message for people when it is not. */
export function forwardedPort(env: Environment | undefined, name: string, port: number): ForwardedPort {
  if (!env) throw new Error(`environment ${name} is not known to the runner`);
  const p = env.status.ports.find((x) => x.port === port);
  const f = p && forwardOf(p);
  if (!f)
    throw new Error(`port ${port} of ${name} is not forwarded${p ? ` (${p.state.toLowerCase()})` : ''}`);
  return f;
}
