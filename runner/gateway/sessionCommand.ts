/**
 * What a session channel runs inside the environment, and with which environment variables.
 * Pure: the session handler turns SSH requests into these and hands them to provider.exec.
 */
import { loginShellCommand, shellCommand } from '../sessions/loginShell';

export type SessionRequest = { kind: 'shell' } | { kind: 'exec'; command: string } | { kind: 'sftp' };

export interface PtyRequest {
  term: string;
  cols: number;
  rows: number;
}

/** Where distributions put OpenSSH's sftp-server; `command -v` covers the rest. */
export const SFTP_SERVER_PATHS = [
  '/usr/lib/openssh/sftp-server',
  '/usr/lib/sftp-server',
  '/usr/libexec/openssh/sftp-server',
  '/usr/libexec/sftp-server',
  '/usr/lib/ssh/sftp-server',
];

export const NO_SFTP_SERVER_EXIT = 127;

/**
 * The container's own sftp-server speaking SFTP over stdin/stdout, so file operations run as the
 * remote user with the container's view of the file system. When there is none, a message for the
 * user on stderr and exit 127 (sftp and scp print it).
 */
export function sftpServerCommand(): string[] {
  const script = [
    `for p in ${SFTP_SERVER_PATHS.join(' ')} "$(command -v sftp-server 2>/dev/null)"; do`,
    '  if [ -n "$p" ] && [ -x "$p" ]; then exec "$p"; fi',
    'done',
    'echo "devrig: this environment has no sftp-server (install openssh-sftp-server, or openssh on Alpine/Fedora)" >&2',
    `exit ${NO_SFTP_SERVER_EXIT}`,
  ].join('\n');
  return ['/bin/sh', '-c', script, 'devrig-sftp'];
}

/**
 * The argv for a session: a login shell, the user's shell running a command line (as sshd does), or
 * sftp-server. With a PTY the terminal gets its size before the program starts: the engine applies
 * the size only after the exec started, and a quick `stty size` or a full-screen program would
 * otherwise see 0x0.
 */
export function sessionArgv(request: SessionRequest, pty: PtyRequest | undefined): string[] {
  const argv =
    request.kind === 'shell'
      ? loginShellCommand()
      : request.kind === 'exec'
        ? shellCommand(request.command)
        : sftpServerCommand();
  if (!pty || !(pty.cols > 0 && pty.rows > 0)) return argv;
  return [
    '/bin/sh',
    '-c',
    'stty rows "$1" cols "$2" 2>/dev/null; shift 2; exec "$@"',
    'devrig-pty',
    String(pty.rows),
    String(pty.cols),
    ...argv,
  ];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Variables a client may set with `env` requests (SendEnv/SetEnv): not devrig's own, not SSH_*. */
export function acceptsClientEnv(name: string, value: string): boolean {
  return ENV_NAME.test(name) && !/^(DEVRIG_|SSH_)/.test(name) && !value.includes('\0');
}

export interface SessionEnvInput {
  /** From `env` requests, already filtered by acceptsClientEnv. */
  client: Record<string, string>;
  /** remoteEnv and spec.env of the environment: these win over the client's. */
  environment: Record<string, string>;
  pty?: PtyRequest;
  agentSocket?: string;
  /** `SSH_CONNECTION`: client address, client port, server address, server port. */
  connection: { clientIp: string; clientPort: number; serverPort: number };
}

export function sessionEnv(input: SessionEnvInput): Record<string, string> {
  const { clientIp, clientPort, serverPort } = input.connection;
  return {
    ...input.client,
    ...input.environment,
    ...(input.pty ? { TERM: input.pty.term || 'xterm-256color' } : {}),
    ...(input.agentSocket ? { SSH_AUTH_SOCK: input.agentSocket } : {}),
    SSH_CONNECTION: `${clientIp} ${clientPort} 127.0.0.1 ${serverPort}`,
    SSH_CLIENT: `${clientIp} ${clientPort} ${serverPort}`,
  };
}

/** Linux signal numbers of the signals RFC 4254 names. */
const SIGNAL_NUMBERS: Record<string, number> = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ILL: 4,
  ABRT: 6,
  FPE: 8,
  KILL: 9,
  USR1: 10,
  SEGV: 11,
  USR2: 12,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
};

/** A signal name from a `signal` request (`INT`, `SIGINT`), or undefined when it is not one of RFC 4254's. */
export function normalizeSignal(name: string): string | undefined {
  const n = name.toUpperCase().replace(/^SIG/, '');
  return n in SIGNAL_NUMBERS ? n : undefined;
}

export type ExitReport = { status: number } | { signal: string } | undefined;

/**
 * What to tell the client when the process ended. The engine reports a death by signal N as exit
 * code 128+N, indistinguishable from `exit 128+N`; it is reported as exit-signal only when the client
 * itself sent that signal, so `ssh -t x sleep 9; ^C`-style uses see a signal and scripts see their codes.
 */
export function exitReport(code: number | null, signalsSent: readonly string[]): ExitReport {
  if (code === null) return undefined;
  for (const s of signalsSent) {
    if (code === 128 + (SIGNAL_NUMBERS[s] ?? -1000)) return { signal: s };
  }
  return { status: code };
}
