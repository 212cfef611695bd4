import { Transform, type Duplex, type Readable, type Writable } from 'node:stream';
import type { ServerChannel, Session } from 'ssh2';
import type { ExecProcess } from '../providers/provider';
import type { SessionTarget } from '../reconcile/environment/sessions';
import { hangUp } from '../sessions/hangUp';
import { startAgentForward, type AgentForward } from './agentForward';
import {
  acceptsClientEnv,
  exitReport,
  normalizeSignal,
  sessionArgv,
  sessionEnv,
  type PtyRequest,
  type SessionRequest,
} from './sessionCommand';
import { atMostEvery } from '../util/throttle';

export interface SessionContext {
  envName: string;
  /** Where to run; waits for (or starts) the environment, reporting on `progress`. */
  resolveTarget(progress: (line: string) => void): Promise<SessionTarget>;
  openAgentChannel(): Promise<Duplex>;
  connection: { clientIp: string; clientPort: number; serverPort: number };
  activity(): void;
  /** postAttachCommand, for interactive shells (a person attaching, not a tool's exec). */
  attach(): Promise<void>;
  log(msg: string): void;
}

/** ssh's own exit status for "the command could not be run". */
const CANNOT_RUN = 255;

/**
 * One SSH session channel: collects pty-req, env and auth-agent-req, then runs the shell, the
 * command or sftp-server with provider.exec as the remote user in the workspace folder, and relays
 * stdin/stdout/stderr, window changes, signals, EOF and the exit status.
 */
export function serveSession(session: Session, ctx: SessionContext): void {
  let pty: PtyRequest | undefined;
  const clientEnv: Record<string, string> = {};
  let wantsAgent = false;
  let proc: ExecProcess | undefined;
  const signalsSent = new Set<string>();
  // Input typed after a resize must see the new size (`stty size` right after SIGWINCH):
  // keystrokes wait for pending resizes, which the engine applies asynchronously.
  let resizing: Promise<void> = Promise.resolve();

  session.on('pty', (accept, _reject, info) => {
    pty = { term: info.term, cols: info.cols, rows: info.rows };
    accept?.();
  });
  session.on('window-change', (accept, _reject, info) => {
    if (pty) pty = { ...pty, cols: info.cols, rows: info.rows };
    const p = proc;
    if (p && info.cols > 0 && info.rows > 0) {
      resizing = resizing.then(() => p.resize(info.cols, info.rows)).catch(() => {});
    }
    accept?.();
  });
  session.on('env', (accept, reject, info) => {
    if (
      typeof info.key === 'string' &&
      typeof info.val === 'string' &&
      acceptsClientEnv(info.key, info.val)
    ) {
      clientEnv[info.key] = info.val;
      accept?.();
    } else reject?.();
  });
  session.on('auth-agent', (accept) => {
    wantsAgent = true;
    accept?.();
  });
  session.on('signal', (accept, reject, info) => {
    const name = normalizeSignal(info.name);
    if (!name || !proc) return reject?.();
    signalsSent.add(name);
    void proc
      .signal(name)
      .catch((e: Error) => ctx.log(`ssh gateway: ${ctx.envName}: signal ${name}: ${e.message}`));
    accept?.();
  });
  session.on('x11', (_accept, reject) => reject?.());

  // Accept at once: OpenSSH sends stdin right after the request, and ssh2 drops channel data that
  // arrives before the accept. The channel buffers it (within the SSH window) until the exec runs.
  session.on('shell', (accept) => void run(accept(), { kind: 'shell' }));
  session.on('exec', (accept, _reject, info) => void run(accept(), { kind: 'exec', command: info.command }));
  session.on('subsystem', (accept, reject, info) => {
    if (info.name !== 'sftp') return reject?.();
    void run(accept(), { kind: 'sftp' });
  });

  async function run(channel: ServerChannel | undefined, request: SessionRequest): Promise<void> {
    if (!channel) return;
    let closed = false;
    let finished = false;
    let agent: AgentForward | undefined;
    channel.on('error', () => {});
    channel.stderr.on('error', () => {});
    const tty = !!pty && request.kind !== 'sftp';
    const hangUpProc = (p: ExecProcess) => hangUp(p, tty);
    channel.once('close', () => {
      closed = true;
      agent?.close();
      if (proc && !finished) hangUpProc(proc);
    });
    try {
      const target = await ctx.resolveTarget((line) => channel.stderr.write(line + (tty ? '\r\n' : '\n')));
      if (wantsAgent && !closed) {
        agent = await startAgentForward(target, ctx.openAgentChannel, ctx.log).catch((e: Error) => {
          channel.stderr.write(`devrig: agent forwarding unavailable: ${e.message}${tty ? '\r\n' : '\n'}`);
          return undefined;
        });
      }
      if (request.kind === 'shell' && tty && !closed) {
        await ctx.attach().catch((e: Error) => {
          channel.stderr.write(`devrig: postAttachCommand failed: ${e.message}\r\n`);
        });
      }
      if (closed) {
        agent?.close();
        return;
      }
      proc = await target.provider.exec(target.containerId, {
        cmd: sessionArgv(request, tty ? pty : undefined),
        tty,
        cols: tty ? pty?.cols : undefined,
        rows: tty ? pty?.rows : undefined,
        stdin: true,
        user: target.user,
        workdir: target.workspaceFolder,
        env: sessionEnv({
          client: clientEnv,
          environment: target.env,
          pty: tty ? pty : undefined,
          agentSocket: agent?.socketPath,
          connection: ctx.connection,
        }),
      });
    } catch (e) {
      const msg = (e as Error).message;
      ctx.log(`ssh gateway: ${ctx.envName}: session failed to start: ${msg}`);
      if (!closed) {
        channel.stderr.write(`devrig: ${msg}${tty ? '\r\n' : '\n'}`);
        await finish(channel, { status: CANNOT_RUN });
      }
      agent?.close();
      return;
    }
    if (closed) {
      hangUpProc(proc);
      agent?.close();
      return;
    }
    ctx.activity();
    const p = proc;
    p.stdin.on('error', () => {});
    // A terminal has no half-close: EOF from the client does not end a PTY session (nor in sshd).
    const input = new Transform({
      transform: (chunk: Buffer, _encoding, done) => void resizing.then(() => done(null, chunk)),
    });
    channel.pipe(input, { end: !tty }).pipe(p.stdin);
    const outputs = [copy(p.stdout, channel), copy(p.stderr, channel.stderr)];
    const touch = atMostEvery(5_000, () => ctx.activity());
    channel.on('data', touch);
    p.stdout.on('data', touch);
    await Promise.all(outputs);
    const { code } = await p.wait().catch(() => ({ code: null }));
    finished = true;
    agent?.close();
    if (!closed) await finish(channel, exitReport(code, [...signalsSent]));
  }
}

/** Copies a process stream into the channel (with backpressure) until it ends; does not end the channel. */
function copy(from: Readable, to: Writable): Promise<void> {
  return new Promise((resolve) => {
    from.pipe(to, { end: false });
    from.once('end', resolve).once('close', resolve).once('error', resolve);
  });
}

/** Waits for buffered output to reach the client, then exit-status (or exit-signal), EOF and close. */
async function finish(channel: ServerChannel, report: ReturnType<typeof exitReport>): Promise<void> {
  await Promise.all([drained(channel), drained(channel.stderr)]);
  if (report && 'signal' in report) channel.exit(report.signal, false, '');
  else if (report) channel.exit(report.status);
  channel.end();
}

function drained(w: Writable): Promise<void> {
  if (w.writableLength === 0 || !w.writable) return Promise.resolve();
  return new Promise((resolve) => {
    const check = () => {
      if (w.writableLength > 0) return;
      w.off('drain', check);
      resolve();
    };
    w.on('drain', check).once('close', resolve);
  });
}
