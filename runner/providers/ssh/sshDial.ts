import { readFile } from 'node:fs/promises';
import { Client, type ConnectConfig } from 'ssh2';
import { checkHostKey, hostKeyAlgorithms, hostKeyFromBlob, type HostKey } from './hostKey';

export interface SshTarget {
  /** The Host resource's name, for messages. */
  name: string;
  address: string;
  port: number;
  user: string;
  /** A private key file; otherwise the SSH agent at $SSH_AUTH_SOCK. */
  identityFile?: string;
  /** The pinned host key line; unset until a person accepted one. */
  hostKey?: string;
}

export interface DialOptions {
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  readyTimeoutMs?: number;
  env?: Record<string, string | undefined>;
}

export type DownReason =
  'Unreachable' | 'AuthenticationFailed' | 'NoCredentials' | 'AwaitingAcceptance' | 'HostKeyMismatch';

/** Why a connection could not be made (or was lost), classified for conditions. */
export class DialError extends Error {
  constructor(
    readonly reason: DownReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DialError';
  }
}

/**
 * Opens one SSH connection to `t`, verifying the host key against the pinned one before any
 * credential is sent. Resolves with the ready client; `closed` resolves (with the reason, when it
 * was a failure) once that connection is gone, whenever that is.
 */
export async function dial(
  t: SshTarget,
  opts: DialOptions,
  onKey: (key: HostKey) => void,
): Promise<{ client: Client; closed: Promise<DialError> }> {
  let privateKey: Buffer | undefined;
  if (t.identityFile) {
    try {
      privateKey = await readFile(t.identityFile);
    } catch (e) {
      throw new DialError(
        'NoCredentials',
        `cannot read the identity file ${t.identityFile}: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
  }
  const agent = privateKey ? undefined : (opts.env ?? process.env).SSH_AUTH_SOCK;
  if (!privateKey && !agent) {
    throw new DialError('NoCredentials', 'no identityFile is set and there is no SSH agent ($SSH_AUTH_SOCK)');
  }
  const c = new Client();
  let keyProblem: DialError | undefined;
  let lastError: (Error & { level?: string; code?: string }) | undefined;
  const failure = (): DialError => {
    if (keyProblem) return keyProblem;
    if (lastError?.level === 'client-authentication') {
      return new DialError(
        'AuthenticationFailed',
        `${t.user}@${t.address}:${t.port} refused our ${privateKey ? `key ${t.identityFile}` : 'agent keys'}`,
        { cause: lastError },
      );
    }
    return new DialError(
      'Unreachable',
      `${t.address}:${t.port}: ${lastError ? describe(lastError) : 'the connection closed'}`,
      {
        cause: lastError,
      },
    );
  };
  const closed = new Promise<DialError>((resolve) => c.once('close', () => resolve(failure())));
  c.on('error', (e: Error & { level?: string }) => (lastError = e));
  const config: ConnectConfig = {
    host: t.address,
    port: t.port,
    username: t.user,
    privateKey,
    agent,
    readyTimeout: opts.readyTimeoutMs ?? 10_000,
    keepaliveInterval: opts.keepaliveIntervalMs ?? 2_000,
    keepaliveCountMax: opts.keepaliveCountMax ?? 3,
    hostVerifier: (blob: Buffer) => {
      const key = hostKeyFromBlob(blob);
      onKey(key);
      const d = checkHostKey(t.name, t.hostKey, key);
      if (!d.accept) keyProblem = new DialError(d.reason, d.message);
      return d.accept;
    },
  };
  const algos = hostKeyAlgorithms(t.hostKey);
  if (algos) config.algorithms = { serverHostKey: algos as never };
  await new Promise<void>((resolve, reject) => {
    c.once('ready', resolve);
    void closed.then(reject);
    try {
      c.connect(config);
    } catch (e) {
      reject(
        new DialError('Unreachable', `cannot connect to ${t.address}:${t.port}: ${(e as Error).message}`, {
          cause: e,
        }),
      );
    }
  });
  // Many small request/response exchanges (Engine API calls, exec frames): no Nagle delays.
  c.setNoDelay(true);
  return { client: c, closed };
}

function describe(e: Error & { code?: string; level?: string }): string {
  if (e.code === 'ECONNREFUSED') return 'connection refused';
  if (/keepalive/i.test(e.message)) return 'the host stopped answering (keepalive timeout)';
  if (e.level === 'client-timeout') return 'no SSH handshake within the timeout (the host does not answer)';
  return e.message;
}
