import type { Server } from 'node:net';
import { readFileIfExists, writeFileAtomic } from '../state/privateFile';

/** The port asked for: the runner option, else `$DEVRIG_SSH_PORT`; undefined means "choose". */
export function requestedPort(option: number | undefined, env: NodeJS.ProcessEnv): number | undefined {
  if (option !== undefined) return checkPort(option, 'the sshPort option');
  const raw = env.DEVRIG_SSH_PORT?.trim();
  if (!raw) return undefined;
  if (!/^\d+$/.test(raw))
    throw new Error(`DEVRIG_SSH_PORT must be a port number, got ${JSON.stringify(raw)}`);
  return checkPort(Number(raw), 'DEVRIG_SSH_PORT');
}

function checkPort(port: number, what: string): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`${what} must be 0-65535, got ${port}`);
  return port;
}

/**
 * Ports to try, in order. An explicit port is the only one (in use → fail, the user asked for it).
 * Otherwise the last port used comes first, so the ssh_config users already have keeps working,
 * then any free port.
 */
export function portCandidates(requested: number | undefined, lastUsed: number | undefined): number[] {
  if (requested !== undefined) return [requested];
  return lastUsed ? [lastUsed, 0] : [0];
}

export function parseStoredPort(text: string | undefined): number | undefined {
  const n = Number(text?.trim());
  return Number.isInteger(n) && n > 0 && n <= 65535 ? n : undefined;
}

/** Listens on 127.0.0.1 (never another interface) on the first candidate that is free; remembers it. */
export async function listenOnLoopback(
  server: Server,
  opts: { requested: number | undefined; portFile: string; log: (msg: string) => void },
): Promise<number> {
  const lastUsed = parseStoredPort(await readFileIfExists(opts.portFile));
  const candidates = portCandidates(opts.requested, lastUsed);
  for (const [i, port] of candidates.entries()) {
    try {
      await listen(server, port);
      break;
    } catch (e) {
      if (i === candidates.length - 1) {
        throw new Error(`cannot listen on 127.0.0.1:${port}: ${(e as Error).message}`, { cause: e });
      }
      opts.log(
        `ssh gateway: port ${port} (used last time) is taken (${(e as NodeJS.ErrnoException).code}); ` +
          'choosing another one and rewriting ssh_config',
      );
    }
  }
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the SSH gateway has no TCP address');
  if (address.port !== lastUsed) await writeFileAtomic(opts.portFile, `${address.port}\n`, 0o600);
  return address.port;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError).once('listening', onListening);
    server.listen({ host: '127.0.0.1', port, exclusive: true });
  });
}
