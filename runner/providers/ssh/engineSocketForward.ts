import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import type { SshConnection } from './sshConnection';

/** A local unix socket that reaches a host's Docker engine over its SSH connection. */
export interface EngineSocketForward {
  /** The local socket (0600, in a 0700 folder). */
  path: string;
  /** `unix://<path>`, for DOCKER_HOST of programs run here (the Compose CLI). */
  dockerHost: string;
  /** Connections carried so far (for tests and diagnostics). */
  readonly connections: number;
  /** Stops listening, ends every carried connection and removes the socket file. */
  close(): Promise<void>;
}

async function removeStaleSocket(file: string): Promise<void> {
  const s = await lstat(file).catch(() => undefined);
  if (!s) return;
  if (!s.isSocket()) throw new Error(`${file} exists and is not a socket; refusing to replace it`);
  await unlink(file);
}

function listen(server: Server, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(file, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Copies both ways until either side ends; an error on one side ends the other. */
function splice(local: Socket, remote: Duplex): void {
  const end = () => {
    local.destroy();
    remote.destroy();
  };
  local.on('error', end);
  remote.on('error', end);
  local.on('close', end);
  remote.on('close', end);
  local.pipe(remote);
  remote.pipe(local);
}

/**
 * Forwards a local unix socket to `remoteSocket` on the host (each local connection is one
 * direct-streamlocal channel on the host's existing SSH connection, like `ssh -L local:remote`), so
 * programs on the runner's machine — the Compose CLI — talk to the host's engine with
 * `DOCKER_HOST=unix://<localPath>`. Nothing is installed or exposed on the host; the local socket is
 * private to this user (0600 in a 0700 folder). A connection made while the host is unreachable is
 * closed at once (the client sees the engine as unreachable).
 */
export async function forwardEngineSocket(
  conn: Pick<SshConnection, 'openUnixSocket'>,
  remoteSocket: string,
  localPath: string,
): Promise<EngineSocketForward> {
  // sockaddr_un holds about 104-108 bytes (macOS/Linux): a longer path cannot be listened on.
  if (Buffer.byteLength(localPath) > 103) {
    throw new Error(`the engine socket path ${localPath} is too long for a unix socket (at most 103 bytes)`);
  }
  const folder = path.dirname(localPath);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  // The socket is the engine itself (root on the host, in effect): only this user may reach it.
  if (((await lstat(folder)).mode & 0o077) !== 0) {
    throw new Error(`${folder} is open to other users; the engine socket must be in a private (0700) folder`);
  }
  await removeStaleSocket(localPath);
  const open = new Set<Socket>();
  let connections = 0;
  const server = createServer((local) => {
    connections++;
    open.add(local);
    local.once('close', () => open.delete(local));
    local.on('error', () => local.destroy());
    // Bytes the client sends before the channel is open wait in the socket's buffer.
    local.pause();
    conn.openUnixSocket(remoteSocket).then(
      (channel) => {
        if (local.destroyed) channel.destroy();
        else {
          splice(local, channel);
          local.resume();
        }
      },
      () => local.destroy(),
    );
  });
  await listen(server, localPath);
  await chmod(localPath, 0o600);
  return {
    path: localPath,
    dockerHost: `unix://${localPath}`,
    get connections() {
      return connections;
    },
    close: async () => {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await unlink(localPath).catch(() => {});
    },
  };
}

/**
 * The forward made on first use and kept while the host connection lives: Compose commands for
 * environments on the host all go through it. A forward that failed to start is tried again next time.
 */
export function lazyEngineForward(
  conn: Pick<SshConnection, 'openUnixSocket'>,
  remoteSocket: string,
  localPath: string,
): { endpoint(): Promise<{ dockerHost: string }>; close(): Promise<void> } {
  let forward: Promise<EngineSocketForward> | undefined;
  return {
    endpoint: async () => {
      forward ??= forwardEngineSocket(conn, remoteSocket, localPath);
      try {
        return { dockerHost: (await forward).dockerHost };
      } catch (e) {
        forward = undefined;
        throw new Error(`cannot forward the engine socket to ${localPath}: ${(e as Error).message}`, {
          cause: e,
        });
      }
    },
    close: async () => {
      const f = forward;
      forward = undefined;
      await (await f?.catch(() => undefined))?.close();
    },
  };
}
