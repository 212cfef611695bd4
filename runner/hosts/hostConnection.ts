import type { Host } from '../api';
import type { ContainerEvent, ContainerProvider } from '../providers/provider';
import { join } from 'node:path';
import { dockerOverSsh } from '../providers/ssh/dockerOverSsh';
import { lazyEngineForward } from '../providers/ssh/engineSocketForward';
import { PlainProvider } from '../providers/ssh/plainProvider';
import {
  SshConnection,
  type SshConnectionOptions,
  type SshConnectionState,
} from '../providers/ssh/sshConnection';

export interface HostConnectionDeps {
  /** The connection changed state (connected, lost, refused). */
  onState(state: SshConnectionState): void;
  /** A container event from the host's engine (docker mode). */
  onEvent(e: ContainerEvent): void;
  /** The event stream (re)started: anything may have happened meanwhile. */
  onEventsReconnect(): void;
  ssh?: SshConnectionOptions;
  /** A private (0700) folder for the hosts' forwarded engine sockets (the Compose CLI uses them). */
  engineSocketDir?: string;
}

/** The spec fields a connection is made from: a change to any of them means a new connection. */
export function connectionKey(h: Host): string {
  const s = h.spec;
  return JSON.stringify([
    s.address,
    s.port,
    s.user,
    s.identityFile,
    s.hostKey,
    s.mode,
    s.dockerSocket,
    s.workspaceRoot,
  ]);
}

/**
 * Everything devrig holds open to one host: the SSH connection, the provider that works through
 * it (the host's Docker engine, or the plain host itself), and the engine's event stream while
 * connected.
 */
export class HostConnection {
  readonly ssh: SshConnection;
  readonly provider: ContainerProvider;
  readonly key: string;
  readonly mode: 'docker' | 'plain';
  private events?: { close(): void };
  private readonly stopState: () => void;
  private readonly engineForward?: ReturnType<typeof lazyEngineForward>;

  constructor(
    host: Host,
    private readonly deps: HostConnectionDeps,
  ) {
    const s = host.spec;
    const name = host.metadata.name;
    this.key = connectionKey(host);
    this.mode = s.mode;
    this.ssh = new SshConnection(
      {
        name,
        address: s.address,
        port: s.port,
        user: s.user,
        identityFile: s.identityFile,
        hostKey: s.hostKey,
      },
      deps.ssh,
    );
    if (s.mode === 'docker' && deps.engineSocketDir) {
      this.engineForward = lazyEngineForward(
        this.ssh,
        s.dockerSocket,
        join(deps.engineSocketDir, `${name}.sock`),
      );
    }
    const forward = this.engineForward;
    this.provider =
      s.mode === 'plain'
        ? new PlainProvider(this.ssh, name, s.workspaceRoot)
        : dockerOverSsh(this.ssh, s.dockerSocket, name, forward && (() => forward.endpoint()));
    this.stopState = this.ssh.onState((state) => {
      if (state.phase === 'ready' && !this.events) {
        this.events = this.provider.watchEvents(deps.onEvent, deps.onEventsReconnect);
      } else if (state.phase !== 'ready' && this.events) {
        this.events.close();
        this.events = undefined;
      }
      deps.onState(state);
    });
  }

  start(): void {
    this.ssh.start();
  }

  close(): void {
    this.stopState();
    this.events?.close();
    this.events = undefined;
    void this.engineForward?.close();
    this.ssh.close();
  }
}
