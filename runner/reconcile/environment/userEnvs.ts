import type { UserEnvProbe } from '../../devcontainer';
import { EXEC_MARKER } from '../../providers/markedProcesses';
import type { ContainerObservation, ContainerProvider } from '../../providers/provider';
import { probeUserEnv } from './userEnvProbe';

/** One environment's user environment, for the container start it was probed in. */
export interface UserEnv {
  containerId: string;
  startedAt: string;
  /** What the remote user's shell sets up (userEnvProbe); {} when not probed. */
  probed: Record<string, string>;
  /** The container's own environment (`${containerEnv:…}` in remoteEnv reads it). */
  containerEnv: Record<string, string>;
}

/**
 * The user environment of each environment's container (userEnvProbe), probed once per container
 * start — the probe itself keeps its result in the container, so a restarted runner reads it back
 * instead of running the profile again. Shared by the reconciler (lifecycle commands) and the
 * sessions (exec, ssh, terminals, automations).
 */
export class UserEnvs {
  private readonly byName = new Map<string, UserEnv>();
  private readonly probing = new Map<string, Promise<UserEnv>>();

  /** What was probed for `name`'s container `containerId` (any start of it), if anything. */
  get(name: string, containerId: string | undefined): UserEnv | undefined {
    const e = this.byName.get(name);
    return e && e.containerId === containerId ? e : undefined;
  }

  /**
   * Probes `container` (this start) unless done already; `note` is told why a probe gave nothing
   * (a profile that hangs or fails: sessions go on without it). A provider without a container engine
   * (a plain host) is not probed: its sessions are the user's own login sessions.
   */
  async ensure(
    name: string,
    provider: ContainerProvider,
    container: Pick<ContainerObservation, 'id' | 'startedAt' | 'env'>,
    opts: { user: string; probe?: UserEnvProbe; note?: (text: string) => void },
  ): Promise<UserEnv> {
    const known = this.byName.get(name);
    if (known && known.containerId === container.id && known.startedAt === container.startedAt) return known;
    const key = `${name} ${container.id} ${container.startedAt} ${opts.user} ${opts.probe ?? ''}`;
    let running = this.probing.get(key);
    if (!running) {
      running = (async () => {
        const base = {
          containerId: container.id,
          startedAt: container.startedAt,
          containerEnv: container.env ?? {},
        };
        if (!provider.engineEndpoint) return { ...base, probed: {} };
        const result = await probeUserEnv(provider, container, { user: opts.user, probe: opts.probe });
        if (result.note) opts.note?.(result.note);
        const probed = { ...result.env };
        // The probe's own exec marker says nothing about the user.
        delete probed[EXEC_MARKER];
        return { ...base, probed };
      })().finally(() => this.probing.delete(key));
      this.probing.set(key, running);
    }
    const entry = await running;
    this.byName.set(name, entry);
    return entry;
  }

  forget(name: string): void {
    this.byName.delete(name);
  }
}
