/**
 * Which `direct-tcpip` destinations the gateway serves: only the environment's own loopback. The
 * relay always connects to 127.0.0.1 inside the environment's network namespace, so allowing only
 * names for that address means a forward can never reach the runner's host, another environment or
 * the network beyond. Pure.
 */
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0:0:0:0:0:0:0:1']);

export type ForwardDecision = { allow: true; port: number } | { allow: false; reason: string };

export function tcpForwardDecision(host: string, port: number): ForwardDecision {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return { allow: false, reason: `port ${port} is not a TCP port` };
  }
  if (!LOOPBACK_NAMES.has(host.toLowerCase())) {
    return {
      allow: false,
      reason: `forwarding to ${host}:${port} is not allowed; only localhost inside the environment is reachable`,
    };
  }
  return { allow: true, port };
}
