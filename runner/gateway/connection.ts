import type { Duplex } from 'node:stream';
import type { ClientInfo, Connection } from 'ssh2';
import type { GatewayDeps } from './gatewayDeps';
import { applyAuth, decideAuth } from './authentication';
import { resolveSessionTarget } from './startOnConnect';
import { servePortForwards } from './portForward';
import { serveSession } from './session';
import { openAgentChannel } from './ssh2Internals';
import { quoted } from '../util/logText';

export interface ConnectionDeps extends GatewayDeps {
  identityBlob: Buffer;
  authorizedKeysFile: string;
  serverPort: number;
  /** How long a session waits for its environment to come up. */
  startTimeoutMs: number;
  /** Called once the client logged in (the gateway stops its login deadline). */
  onLoggedIn(): void;
}

/** Failed attempts before the connection is dropped (sshd's MaxAuthTries). */
const MAX_AUTH_FAILURES = 6;

/**
 * One client connection: authentication (user = environment), then sessions and port forwards
 * into that environment. Nothing a client sends may throw out of here: every handler catches,
 * and a protocol error only ends this connection.
 */
export function serveConnection(client: Connection, info: ClientInfo, deps: ConnectionDeps): void {
  const peer = `${info.ip}:${info.port}`;
  const { log } = deps;
  let envName: string | undefined;
  let failures = 0;
  const logged = new Set<string>();
  const logOnce = (msg: string) => {
    if (logged.has(msg)) return;
    logged.add(msg);
    log(`ssh gateway: ${peer}: ${msg}`);
  };

  client.on('error', (e: Error & { level?: string }) => {
    // Resets and clients speaking garbage end up here; they end this connection only.
    if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET') logOnce(`connection error: ${e.message}`);
  });

  client.on('authentication', (ctx) => {
    decideAuth(ctx, deps)
      .then((decision) => {
        if (decision.kind === 'reject') {
          if (decision.reason) logOnce(`refused login as ${quoted(ctx.username)}: ${decision.reason}`);
          if (ctx.method !== 'none' && ++failures >= MAX_AUTH_FAILURES) {
            logOnce('too many failed logins; disconnecting');
            client.end();
            return;
          }
        }
        if (decision.kind === 'accept') envName = ctx.username;
        applyAuth(ctx, decision, deps);
      })
      .catch((e: Error) => {
        logOnce(`authentication error: ${e.message}`);
        try {
          ctx.reject(['publickey']);
        } catch {
          client.end();
        }
      });
  });

  client.on('ready', () => {
    deps.onLoggedIn();
    const name = envName!;
    log(`ssh gateway: ${peer}: logged in to environment "${name}"`);
    const activity = () => deps.notifyActivity(name);
    const resolveTarget = (progress?: (line: string) => void) => resolveSessionTarget(deps, name, progress);

    client.on('session', (accept) => {
      const session = accept();
      if (!session) return;
      serveSession(session, {
        envName: name,
        resolveTarget,
        openAgentChannel: () => openAgentChannel(client) as Promise<Duplex>,
        connection: { clientIp: info.ip, clientPort: info.port, serverPort: deps.serverPort },
        activity,
        attach: () => deps.attach?.(name) ?? Promise.resolve(),
        log,
      });
    });
    servePortForwards(client, { envName: name, resolveTarget, activity, log });
    // Remote forwards (ssh -R) would listen on the runner's machine: not offered.
    client.on('request', (_accept, reject) => reject?.());
  });
}
