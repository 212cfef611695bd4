import type { PortStatus } from '../api';

/** The portsAttributes properties devrig acts on. */
export interface PortAttributesLike {
  label?: string;
  onAutoForward?: PortStatus['onAutoForward'];
  protocol?: 'http' | 'https';
  requireLocalPort?: boolean;
}

export interface PortsConfig {
  forwardPorts: readonly number[];
  portsAttributes: Record<string, PortAttributesLike>;
  otherPortsAttributes?: PortAttributesLike;
}

export interface PlannedPort {
  port: number;
  source: 'config' | 'detected';
  attributes: PortAttributesLike;
  listening: boolean;
  /** False for detected ports whose onAutoForward is "ignore". */
  forward: boolean;
}

/**
 * portsAttributes for a port: a key that is the port ("3000") or a range containing it
 * ("3000-3010"); the first match in the config's order wins. Ports matching none get
 * otherPortsAttributes (as in VS Code, forwardPorts entries too).
 */
export function attributesFor(port: number, config: PortsConfig): PortAttributesLike {
  for (const [key, attrs] of Object.entries(config.portsAttributes)) {
    const range = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(key);
    if (range ? port >= Number(range[1]) && port <= Number(range[2]) : key.trim() === String(port)) {
      return attrs;
    }
  }
  return config.otherPortsAttributes ?? {};
}

/**
 * Which ports to show and forward: every forwardPorts entry (always forwarded, listening or
 * not), then every other port found listening (forwarded unless its onAutoForward is ignore).
 */
export function planPorts(config: PortsConfig, listening: readonly number[]): PlannedPort[] {
  const live = new Set(listening);
  const out: PlannedPort[] = [];
  const configured = new Set(config.forwardPorts);
  for (const port of config.forwardPorts) {
    out.push({
      port,
      source: 'config',
      attributes: attributesFor(port, config),
      listening: live.has(port),
      forward: true,
    });
  }
  for (const port of live) {
    if (configured.has(port)) continue;
    const attributes = attributesFor(port, config);
    out.push({
      port,
      source: 'detected',
      attributes,
      listening: true,
      forward: attributes.onAutoForward !== 'ignore',
    });
  }
  return out.sort((a, b) => a.port - b.port);
}

/** The address a browser opens for a forward. */
export function localUrl(localPort: number, attributes: PortAttributesLike): string {
  return `${attributes.protocol === 'https' ? 'https' : 'http'}://127.0.0.1:${localPort}`;
}
