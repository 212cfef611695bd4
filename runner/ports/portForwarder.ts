import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { atMostEvery } from '../util/throttle';

export interface PortForwardOptions {
  /** The port inside the environment. */
  port: number;
  /** Local ports to try first, in order (the container port, then the one used before). */
  preferred: number[];
  /** Fail instead of taking another local port (portsAttributes requireLocalPort). */
  requireLocalPort?: boolean;
  /** A byte stream to the port inside the environment. */
  connect(): Promise<Duplex>;
  /** Bytes went through (throttled to about once a second). */
  onTraffic(): void;
  log(msg: string): void;
}

/** A local port that was not available. */
export class LocalPortError extends Error {
  constructor(
    readonly localPort: number,
    options?: ErrorOptions,
  ) {
    super(`127.0.0.1:${localPort} is in use on this machine`, options);
    this.name = 'LocalPortError';
  }
}

/**
 * A forward the runner itself holds: a listener on 127.0.0.1 whose connections are relayed
 * into the environment. It lives in the runner, so it works with no IDE and no SSH session.
 */
export class PortForward {
  private readonly sockets = new Set<Socket | Duplex>();
  /** Traffic through any of its connections, told at most once a second. */
  private readonly traffic: () => void;

  private constructor(
    private readonly server: Server,
    readonly localPort: number,
    /** Why the local port differs from the container's, when it does. */
    readonly note: string | undefined,
    private readonly opts: PortForwardOptions,
  ) {
    this.traffic = atMostEvery(1000, () => opts.onTraffic());
    server.on('connection', (socket) => this.relay(socket));
    server.on('error', (e) => opts.log(`port ${opts.port}: ${e.message}`));
  }

  static async open(opts: PortForwardOptions): Promise<PortForward> {
    const server = createServer({ pauseOnConnect: true });
    const tried: number[] = [];
    for (const candidate of [...new Set(opts.preferred)]) {
      if (await listen(server, candidate))
        return new PortForward(server, candidate, note(opts.port, candidate, tried), opts);
      tried.push(candidate);
      if (opts.requireLocalPort && candidate === opts.port) throw new LocalPortError(candidate);
    }
    if (opts.requireLocalPort) throw new LocalPortError(opts.port);
    if (!(await listen(server, 0))) throw new Error(`cannot listen on 127.0.0.1 for port ${opts.port}`);
    const port = (server.address() as { port: number }).port;
    return new PortForward(server, port, note(opts.port, port, tried), opts);
  }

  close(): void {
    this.server.close();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private relay(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => this.sockets.delete(socket));
    socket.setNoDelay(true);
    this.opts.connect().then(
      (remote) => {
        if (socket.destroyed) return void remote.destroy();
        this.sockets.add(remote);
        remote.on('error', () => socket.destroy());
        remote.on('close', () => {
          this.sockets.delete(remote);
          socket.end();
        });
        socket.on('close', () => remote.destroy());
        socket.on('data', this.traffic);
        remote.on('data', this.traffic);
        socket.pipe(remote);
        remote.pipe(socket);
        socket.resume();
        this.traffic();
      },
      (e: Error) => {
        this.opts.log(`port ${this.opts.port}: ${e.message}`);
        socket.destroy();
      },
    );
  }
}

function listen(server: Server, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const onError = () => {
      server.off('listening', onListening);
      resolve(false);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(true);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ port, host: '127.0.0.1', exclusive: true });
  });
}

function note(port: number, local: number, tried: number[]): string | undefined {
  if (local === port) return undefined;
  if (tried.includes(port))
    return `127.0.0.1:${port} is in use on this machine; forwarded on 127.0.0.1:${local} instead`;
  return `forwarded on 127.0.0.1:${local}`;
}
