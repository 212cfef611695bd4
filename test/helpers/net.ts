import { connect, createServer } from 'node:net';

/** A loopback port free right now (listened on and closed again). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Connects to a loopback port (sending `send`, if given) and hangs up at the first bytes back:
 * true when some came, false when the connection failed or ended without any.
 */
export function firstBytesArrive(port: number, send?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.once('data', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
    sock.once('end', () => resolve(false));
    if (send !== undefined) sock.write(send);
  });
}
