import { createServer, type Server as TcpServer, type Socket } from 'node:net';
import { Server } from 'ssh2';
import { VERSION, type SshInfo } from '../api';
import { ensurePrivateDir } from '../state/stateDir';
import { serveConnection } from './connection';
import type { GatewayDeps } from './gatewayDeps';
import { listenOnLoopback } from './gatewayPort';
import { fingerprint } from '../sshConfig/sshKeyFormat';
import { ensureKeyPair, type KeyPair } from './keys';
import { maintainSshConfig, type SshConfigMaintainer } from './sshConfigWriter';
import { sshPaths, type SshPaths } from '../state/sshPaths';

export interface GatewayOptions {
  stateDir: string;
  /** undefined: the port used last time if free, else any. */
  port?: number;
  startTimeoutMs?: number;
  loginGraceMs?: number;
}

/**
 * Ciphers offered: AES-GCM only. ssh2 runs it in OpenSSL and it needs no separate MAC. The client
 * picks by its own preference, and OpenSSH prefers chacha20-poly1305 (which ssh2 computes in
 * JavaScript without its optional native add-on, not bundled) and then AES-CTR with an HMAC, both
 * several times slower here; offering them would make every client pick them. Every OpenSSH since
 * 6.2 (2013), PuTTY since 0.76 and VS Code's clients speak AES-GCM.
 */
const CIPHERS = ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com'] as const;

/**
 * The runner's SSH gateway: an ssh2 server on 127.0.0.1 whose users are environments. Owns its
 * host key, devrig's user key, the port file and devrig's ssh_config / known_hosts.
 */
export class SshGateway {
  private constructor(
    private readonly tcp: TcpServer,
    private readonly sockets: Set<Socket>,
    readonly port: number,
    readonly hostKey: KeyPair,
    readonly paths: SshPaths,
    private readonly config: SshConfigMaintainer,
  ) {}

  static async start(deps: GatewayDeps, opts: GatewayOptions): Promise<SshGateway> {
    const paths = sshPaths(opts.stateDir);
    await ensurePrivateDir(paths.dir);
    const hostKey = await ensureKeyPair(paths.hostKey, 'devrig-gateway');
    const identity = await ensureKeyPair(paths.identityFile, 'devrig', paths.identityPublicFile);
    let port = 0;
    const ssh = new Server(
      {
        hostKeys: [hostKey.privateKey],
        ident: `devrig_${VERSION}`,
        algorithms: { cipher: [...CIPHERS] },
      },
      (client, info) => {
        try {
          serveConnection(client, info, {
            ...deps,
            identityBlob: identity.blob,
            authorizedKeysFile: paths.authorizedKeys,
            serverPort: port,
            startTimeoutMs: opts.startTimeoutMs ?? 15 * 60_000,
            onLoggedIn: () => loginDeadlines.get(info.port)?.(),
          });
        } catch (e) {
          deps.log(`ssh gateway: connection setup failed: ${(e as Error).message}`);
          client.end();
        }
      },
    );
    ssh.on('error', (e: Error) => deps.log(`ssh gateway: server error: ${e.message}`));
    // Our own listener hands sockets to ssh2, so stopping the runner can drop live connections.
    const sockets = new Set<Socket>();
    // A client must log in within the grace period, whatever it sends (or does not send) meanwhile.
    // ssh2 names a connection by its peer address; on loopback the peer port alone identifies it.
    const loginDeadlines = new Map<number | undefined, () => void>();
    const graceMs = opts.loginGraceMs ?? 60_000;
    const tcp = createServer((socket) => {
      sockets.add(socket);
      const peerPort = socket.remotePort;
      const timer = setTimeout(() => {
        deps.log(
          `ssh gateway: 127.0.0.1:${peerPort}: did not log in within ${graceMs / 1000} s; disconnecting`,
        );
        socket.destroy();
      }, graceMs);
      loginDeadlines.set(peerPort, () => clearTimeout(timer));
      socket.once('close', () => {
        clearTimeout(timer);
        loginDeadlines.delete(peerPort);
        sockets.delete(socket);
      });
      socket.on('error', () => {});
      socket.setNoDelay(true);
      ssh.injectSocket(socket);
    });
    tcp.on('error', (e: Error) => deps.log(`ssh gateway: listener error: ${e.message}`));
    port = await listenOnLoopback(tcp, { requested: opts.port, portFile: paths.port, log: deps.log });
    let config: SshConfigMaintainer;
    try {
      config = await maintainSshConfig({
        store: deps.store,
        paths,
        port,
        hostKey: hostKey.publicKey,
        log: deps.log,
      });
    } catch (e) {
      tcp.close();
      throw e;
    }
    deps.log(`ssh gateway listening on 127.0.0.1:${port} (host key ${fingerprint(hostKey.blob)})`);
    return new SshGateway(tcp, sockets, port, hostKey, paths, config);
  }

  info(): SshInfo {
    return {
      port: this.port,
      hostKey: this.hostKey.publicKey,
      hostKeyFingerprint: fingerprint(this.hostKey.blob),
      identityFile: this.paths.identityFile,
      knownHostsFile: this.paths.knownHosts,
      configFile: this.paths.config,
    };
  }

  /** Resolves once `<state>/ssh_config` holds every environment (see SshConfigMaintainer.flush). */
  flushConfig(): Promise<void> {
    return this.config.flush();
  }

  close(): Promise<void> {
    this.config.stop();
    const closed = new Promise<void>((resolve) => this.tcp.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    return closed;
  }
}
