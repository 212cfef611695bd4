import type { Environment, EnvironmentStatus } from '../api';
import type { ResolvedDevcontainer } from '../devcontainer';
import type { ContainerProvider } from '../providers/provider';
import type { StatusPartSink } from '../store/statusPatcher';
import { EnvironmentPorts } from './environmentPorts';
import type { LookPolicy } from './lookSchedule';
import type { PortsConfig } from './portPlan';

export interface PortsDeps {
  /** Where status.ports goes. */
  status: StatusPartSink<'ports'>;
  providerFor(env: Environment): Promise<ContainerProvider | undefined>;
  /** Traffic through a forward counts as activity of the environment. */
  notifyActivity(name: string): void;
  log(msg: string): void;
  /** How often each environment is looked at for listeners (tests look faster). */
  policy?: LookPolicy;
}

/**
 * Ports of every running environment, held by the runner: forwards open while an environment is
 * Running (whether or not any IDE or SSH session is connected) and close when it stops.
 */
export class PortsController {
  private readonly active = new Map<string, EnvironmentPorts>();

  constructor(private readonly deps: PortsDeps) {}

  async ready(
    env: Environment,
    containerId: string,
    resolved: ResolvedDevcontainer,
    status: EnvironmentStatus,
  ): Promise<void> {
    const name = env.metadata.name;
    const config: PortsConfig = {
      forwardPorts: resolved.forwardPorts,
      portsAttributes: resolved.portsAttributes,
      otherPortsAttributes: resolved.otherPortsAttributes,
    };
    const current = this.active.get(name);
    if (current?.containerId === containerId) return current.setConfig(config);
    current?.dispose();
    const provider = await this.deps.providerFor(env);
    if (!provider) return;
    const ports = new EnvironmentPorts({
      provider,
      containerId,
      config,
      previous: status.ports,
      policy: this.deps.policy,
      activeSince: activeSince(status),
      publish: (p) => this.deps.status.patch(name, { fields: { ports: p } }),
      onTraffic: () => this.deps.notifyActivity(name),
      log: (msg) => this.deps.log(`ports: ${name}: ${msg}`),
    });
    this.active.set(name, ports);
    ports.start();
  }

  /** Someone used the environment: look for new listeners soon. */
  activity(name: string): void {
    this.active.get(name)?.poke();
  }

  /** The container stops, is removed or restarts: its forwards go. */
  async stopped(env: Environment): Promise<void> {
    const name = env.metadata.name;
    this.active.get(name)?.dispose();
    this.active.delete(name);
    if (!env.metadata.deletionTimestamp) this.deps.status.patch(name, { fields: { ports: [] } });
  }

  close(): void {
    for (const p of this.active.values()) p.dispose();
    this.active.clear();
  }
}

/** The latest of the container's start and the last activity: a restarted runner's adoption is neither. */
function activeSince(status: EnvironmentStatus): number | undefined {
  const times = [status.startedAt, status.lastActivity]
    .map((t) => (t ? Date.parse(t) : NaN))
    .filter((t) => Number.isFinite(t));
  return times.length > 0 ? Math.max(...times) : undefined;
}
