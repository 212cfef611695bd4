import type { Client, ClientChannel, PseudoTtyOptions } from 'ssh2';
import { ApiError } from '../../api';
import { hostKeyLine, type HostKey } from './hostKey';
import { fingerprint } from '../../sshConfig/sshKeyFormat';
import { dial, DialError, type DialOptions, type DownReason, type SshTarget } from './sshDial';

export type { DownReason, SshTarget } from './sshDial';

export type SshConnectionState =
  | { phase: 'connecting'; since: string }
  | { phase: 'ready'; since: string; serverVersion: string }
  | { phase: 'down'; since: string; reason: DownReason; message: string; retryInMs: number }
  | { phase: 'closed'; since: string };

/** Why a connection in `state` cannot be used (undefined when it can). */
export function notReadyReason(state: SshConnectionState): string | undefined {
  switch (state.phase) {
    case 'ready':
      return undefined;
    case 'down':
      return state.message;
    case 'closed':
      return 'the connection was closed';
    case 'connecting':
      return 'still connecting';
  }
}

export interface SshConnectionOptions extends DialOptions {
  backoff?: { initialMs: number; maxMs: number };
  /** Session channels (commands) per connection before another connection is opened (sshd's MaxSessions). */
  maxSessions?: number;
}

export interface RemoteCommand {
  channel: ClientChannel;
  /** Resolves when the channel closed (output drained), with the exit status it reported. */
  exit: Promise<{ code: number | null; signal?: string }>;
}

function channelExit(ch: ClientChannel): Promise<{ code: number | null; signal?: string }> {
  return new Promise((resolve) => {
    let status: { code: number | null; signal?: string } = { code: null };
    ch.on('exit', (code: number | null, signal?: string) => {
      status = signal ? { code: code ?? null, signal } : { code: code ?? null };
    });
    ch.on('error', () => {});
    ch.once('close', () => resolve(status));
  });
}

/** The host cannot be used right now; the message says why (and the connection keeps retrying). */
function hostUnavailable(message: string, options?: ErrorOptions): ApiError {
  return new ApiError('Unavailable', message, undefined, options);
}

interface Slot {
  client: Client;
  sessions: number;
  /** The server refused one more session here. */
  limit?: number;
}

/**
 * One multiplexed SSH connection to a host, kept open: keepalives notice a dead peer within
 * seconds, and a lost connection is re-established with exponential backoff. Every Docker API
 * request, exec and port forward to the host is a channel on it. The host key is checked on every
 * connect against the pinned one (see checkHostKey): nothing is sent before it matches.
 *
 * sshd caps command sessions per connection (MaxSessions, 10 by default); past that, commands go
 * over extra connections, opened on demand and closed when idle. Forwards are not capped.
 */
export class SshConnection {
  private primary?: Slot;
  private extras: Slot[] = [];
  private pendingExtra?: Promise<Slot>;
  private current: SshConnectionState = { phase: 'connecting', since: new Date().toISOString() };
  private readonly listeners = new Set<(s: SshConnectionState) => void>();
  private retryTimer?: NodeJS.Timeout;
  private attempt = 0;
  private started = false;
  /** The key the host presented on the last attempt (for first-use acceptance). */
  presentedKey?: HostKey;

  constructor(
    readonly target: SshTarget,
    private readonly opts: SshConnectionOptions = {},
  ) {}

  get state(): SshConnectionState {
    return this.current;
  }

  get presentedKeyLine(): string | undefined {
    return this.presentedKey && hostKeyLine(this.presentedKey);
  }

  get presentedKeyFingerprint(): string | undefined {
    return this.presentedKey && fingerprint(this.presentedKey.blob);
  }

  onState(listener: (s: SshConnectionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    void this.connect();
  }

  /** Resolves once connected; rejects when the first attempt fails, or after `timeoutMs`. */
  whenReady(timeoutMs: number): Promise<void> {
    if (this.current.phase === 'ready') return Promise.resolve();
    if (this.current.phase !== 'connecting') return Promise.reject(this.unavailable());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        reject(hostUnavailable(`host ${this.target.name}: still connecting after ${timeoutMs} ms`));
      }, timeoutMs);
      const stop = this.onState((s) => {
        clearTimeout(timer);
        stop();
        if (s.phase === 'ready') resolve();
        else reject(this.unavailable());
      });
    });
  }

  close(): void {
    if (this.current.phase === 'closed') return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.setState({ phase: 'closed', since: new Date().toISOString() });
    this.dropAll();
  }

  /** Runs a command line through the remote user's shell (as `ssh host CMD` does). */
  async exec(command: string, opts: { pty?: PseudoTtyOptions } = {}): Promise<RemoteCommand> {
    for (let attempt = 0; ; attempt++) {
      const slot = this.freeSlot() ?? (await this.openExtra());
      // Counted before the request goes out: concurrent callers must see it taken.
      slot.sessions++;
      try {
        const cmd = await execOn(slot.client, command, opts.pty);
        void cmd.exit.then(() => this.release(slot));
        return cmd;
      } catch (e) {
        slot.sessions--;
        // "open failed": this connection is at the server's MaxSessions. Use another one.
        if (attempt < 2 && /open failed/i.test((e as Error).message) && slot.sessions > 0) {
          slot.limit = slot.sessions;
          continue;
        }
        throw hostUnavailable(`host ${this.target.name}: cannot start a command: ${(e as Error).message}`, {
          cause: e,
        });
      }
    }
  }

  /** A stream to a unix socket on the host (direct-streamlocal, OpenSSH's `ssh -L /path`). */
  openUnixSocket(path: string): Promise<ClientChannel> {
    const c = this.ready().client;
    return new Promise((resolve, reject) => {
      c.openssh_forwardOutStreamLocal(path, (err, ch) =>
        err
          ? reject(new Error(`host ${this.target.name}: cannot open ${path}: ${err.message}`, { cause: err }))
          : resolve(ch),
      );
    });
  }

  /** A stream to 127.0.0.1:port as seen from the host (direct-tcpip, `ssh -L`). */
  openTcp(port: number, address = '127.0.0.1'): Promise<ClientChannel> {
    const c = this.ready().client;
    return new Promise((resolve, reject) => {
      c.forwardOut('127.0.0.1', 0, address, port, (err, ch) =>
        err
          ? reject(
              new Error(`host ${this.target.name}: cannot connect to ${address}:${port}: ${err.message}`, {
                cause: err,
              }),
            )
          : resolve(ch),
      );
    });
  }

  private ready(): Slot {
    if (this.current.phase !== 'ready' || !this.primary) throw this.unavailable();
    return this.primary;
  }

  private freeSlot(): Slot | undefined {
    const max = this.opts.maxSessions ?? 10;
    return [this.ready(), ...this.extras].find((s) => s.sessions < (s.limit ?? max));
  }

  private openExtra(): Promise<Slot> {
    // Concurrent callers share one new connection.
    this.pendingExtra ??= this.dialExtra().finally(() => (this.pendingExtra = undefined));
    return this.pendingExtra;
  }

  private async dialExtra(): Promise<Slot> {
    const primary = this.ready();
    const { client, closed } = await dial({ ...this.target }, this.opts, () => {});
    if (this.primary !== primary) {
      client.end();
      throw this.unavailable();
    }
    const slot: Slot = { client, sessions: 0 };
    this.extras.push(slot);
    void closed.then(() => (this.extras = this.extras.filter((s) => s !== slot)));
    return slot;
  }

  private release(slot: Slot): void {
    slot.sessions--;
    slot.limit = undefined;
    // An idle extra connection is closed a little later (a burst of commands may come back).
    if (slot !== this.primary && slot.sessions === 0) {
      setTimeout(() => {
        if (slot.sessions === 0) slot.client.end();
      }, 30_000).unref?.();
    }
  }

  private unavailable(): ApiError {
    return hostUnavailable(`host ${this.target.name} is not reachable: ${notReadyReason(this.current)}`);
  }

  private setState(s: SshConnectionState): void {
    this.current = s;
    for (const l of [...this.listeners]) {
      try {
        l(s);
      } catch {
        /* a listener must not break the connection */
      }
    }
  }

  private dropAll(): void {
    for (const s of [this.primary, ...this.extras]) {
      s?.client.end();
      s?.client.destroy();
    }
    this.primary = undefined;
    this.extras = [];
  }

  private async connect(): Promise<void> {
    if (this.current.phase === 'closed') return;
    // Retries keep reporting `down` (with its reason) until one succeeds: no flapping.
    let conn: Awaited<ReturnType<typeof dial>>;
    try {
      conn = await dial(this.target, this.opts, (k) => (this.presentedKey = k));
    } catch (e) {
      const err =
        e instanceof DialError ? e : new DialError('Unreachable', (e as Error).message, { cause: e });
      return this.down(err.reason, err.message);
    }
    if ((this.current as SshConnectionState).phase === 'closed') {
      conn.client.end();
      return;
    }
    const slot: Slot = { client: conn.client, sessions: 0 };
    this.primary = slot;
    this.attempt = 0;
    const version = (conn.client as unknown as { _remoteVer?: string })._remoteVer ?? 'unknown';
    this.setState({ phase: 'ready', since: new Date().toISOString(), serverVersion: version });
    const lost = await conn.closed;
    if (this.primary !== slot || (this.current as SshConnectionState).phase === 'closed') return;
    this.dropAll();
    this.down(lost.reason, lost.message);
  }

  private down(reason: DownReason, message: string): void {
    if (this.current.phase === 'closed') return;
    const b = this.opts.backoff ?? { initialMs: 500, maxMs: 15_000 };
    // Asking a person (a key to accept) or a key that changed will not fix itself quickly.
    const max = reason === 'Unreachable' ? b.maxMs : Math.max(b.maxMs, 30_000);
    const retryInMs = Math.min(b.initialMs * 2 ** this.attempt++, max);
    this.setState({ phase: 'down', since: new Date().toISOString(), reason, message, retryInMs });
    this.retryTimer = setTimeout(() => void this.connect(), retryInMs);
    this.retryTimer.unref?.();
  }
}

/** Starts a command; its exit is listened to at once (it can arrive in the same read as the reply). */
function execOn(c: Client, command: string, pty: PseudoTtyOptions | undefined): Promise<RemoteCommand> {
  return new Promise((resolve, reject) => {
    c.exec(command, pty ? { pty } : {}, (err, ch) =>
      err ? reject(err) : resolve({ channel: ch, exit: channelExit(ch) }),
    );
  });
}
