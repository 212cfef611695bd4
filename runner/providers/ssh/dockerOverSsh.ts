import { Agent, type ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';
import { DockerProvider } from '../docker/dockerProvider';
import type { SshConnection } from './sshConnection';

/**
 * An http.Agent whose "sockets" are channels to the host's Docker socket over the one SSH
 * connection (OpenSSH's direct-streamlocal, what `ssh -L /local:/var/run/docker.sock` uses). With
 * it dockerode speaks the Engine API to the remote engine exactly as to a local one, builds and
 * archive uploads included, and no Docker CLI is needed on the host. Channels are kept for the next
 * request (HTTP keep-alive) and a new one costs no TCP or SSH handshake; a dead connection fails
 * requests at once.
 */
export class DockerSocketAgent extends Agent {
  constructor(
    private readonly conn: SshConnection,
    private readonly socketPath: string,
  ) {
    super({ keepAlive: true });
  }

  override createConnection(
    _options: ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    this.conn.openUnixSocket(this.socketPath).then(
      (channel) => callback?.(null, socketLike(channel)),
      (e: Error) => callback?.(e, undefined as unknown as Duplex),
    );
    return undefined;
  }
}

/** http's client calls a few net.Socket methods; an SSH channel has no use for them. */
function socketLike(channel: Duplex): Duplex {
  const s = channel as Duplex & Record<string, unknown>;
  for (const m of ['setNoDelay', 'setKeepAlive', 'setTimeout', 'ref', 'unref']) {
    if (typeof s[m] !== 'function') s[m] = () => s;
  }
  return s;
}

/**
 * The Docker provider for a host's engine, reached through its SSH connection. With `engineEndpoint`,
 * programs on this machine (the Compose CLI) reach the engine through that (a forwarded socket).
 */
export function dockerOverSsh(
  conn: SshConnection,
  socketPath: string,
  name: string,
  engineEndpoint?: () => Promise<{ dockerHost: string }>,
): DockerProvider {
  return new DockerProvider({
    name,
    remote: true,
    ...(engineEndpoint ? { engineEndpoint } : {}),
    // This machine's registry credentials stay on this machine.
    useLocalCredentials: false,
    // `host` only fills the Host header: every connection comes from the agent.
    // (docker-modem takes `agent`; @types/dockerode does not list it.)
    modem: {
      protocol: 'http',
      host: 'docker',
      port: 80,
      agent: new DockerSocketAgent(conn, socketPath),
    } as never,
  });
}
