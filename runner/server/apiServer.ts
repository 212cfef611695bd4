import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { checkUpgrade } from './auth';
import { Connection } from './connection';
import type { Handlers } from './handlers';

export interface ApiServerOptions {
  token: string;
  handlers: Handlers;
  /** 0 picks a free port. Always bound to 127.0.0.1. */
  port?: number;
  log?: (msg: string) => void;
}

/** The runner's API: WebSocket on loopback, token required, browsers refused. */
export class ApiServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;

  private constructor(private readonly opts: ApiServerOptions) {
    const log = opts.log ?? (() => {});
    this.http = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('devrig runner: WebSocket only\n');
    });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
    this.http.on('upgrade', (req, socket, head) => {
      // Node drops its own socket error listener before 'upgrade': a client that resets the
      // connection must not become an uncaught exception (and it needs no token to try).
      socket.on('error', () => {});
      const verdict = checkUpgrade(req, opts.token);
      if (!verdict.ok) {
        log(`api: refused a connection: ${verdict.reason}`);
        socket.end(
          `HTTP/1.1 ${verdict.status} ${verdict.status === 401 ? 'Unauthorized' : 'Forbidden'}\r\n` +
            `Connection: close\r\nContent-Type: text/plain\r\n\r\n${verdict.reason}\n`,
        );
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        new Connection(ws, opts.handlers, log);
      });
    });
  }

  static async listen(opts: ApiServerOptions): Promise<ApiServer> {
    const server = new ApiServer(opts);
    await new Promise<void>((resolve, reject) => {
      server.http.once('error', reject);
      server.http.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
    });
    return server;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.close(1001, 'runner stopping');
    this.wss.close();
    const closed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    // Plain HTTP requests (only ever answered 404) do not hold the close up.
    this.http.closeAllConnections();
    await closed;
  }
}
