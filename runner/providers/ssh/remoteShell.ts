import { PassThrough, type Readable } from 'node:stream';
import type { PseudoTtyOptions } from 'ssh2';
import type { ExecProcess } from '../provider';
import type { SshConnection } from './sshConnection';

/** POSIX shell single-quoting. */
export function shq(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The command line that runs `script` with positional `args` under /bin/sh, whatever the user's
 * login shell (sshd hands the line to it with -c; any POSIX-like shell parses this one line).
 */
export function shCommand(script: string, args: readonly string[]): string {
  return `exec /bin/sh -c ${shq(script)} devrig ${args.map(shq).join(' ')}`.trimEnd();
}

export interface ScriptResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs a short script on the host and collects its output. */
export async function runScript(
  conn: SshConnection,
  script: string,
  args: readonly string[] = [],
  stdin?: Buffer | string | Readable,
): Promise<ScriptResult> {
  const { channel: ch, exit: done } = await conn.exec(shCommand(script, args));
  const out: Buffer[] = [];
  let err = '';
  ch.on('data', (d: Buffer) => out.push(d));
  ch.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
  if (stdin === undefined) ch.end();
  else if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) ch.end(stdin);
  else {
    // pipe() does not pass a source error on: an unreadable file in an upload must fail this
    // call, not crash the runner with an unheard 'error'.
    stdin.once('error', () => ch.destroy());
    stdin.pipe(ch);
  }
  const { code } = await done;
  return { code, stdout: Buffer.concat(out), stderr: err.trim() };
}

/** Runs a script that must succeed; its stderr is the error otherwise. */
export async function mustRun(
  conn: SshConnection,
  what: string,
  script: string,
  args: readonly string[] = [],
  stdin?: Buffer | string | Readable,
): Promise<Buffer> {
  const r = await runScript(conn, script, args, stdin);
  if (r.code !== 0) {
    throw new Error(
      `${what} on host ${conn.target.name} failed (exit code ${r.code}): ${r.stderr || 'no output'}`,
    );
  }
  return r.stdout;
}

/** An SSH session channel as an ExecProcess; `signal` is delegated (see PlainProvider). */
export async function channelProcess(
  conn: SshConnection,
  command: string,
  opts: { tty: boolean; stdin: boolean; pty?: PseudoTtyOptions; signal(sig: string): Promise<void> },
): Promise<ExecProcess> {
  const { channel: ch, exit } = await conn.exec(command, opts.tty ? { pty: opts.pty } : {});
  let stderr: Readable = ch.stderr;
  if (opts.tty) {
    // A terminal merges both streams into stdout, as `docker exec -t` does.
    const empty = new PassThrough();
    empty.end();
    stderr = empty;
    ch.stderr.resume();
  }
  if (!opts.stdin) ch.end();
  return {
    stdin: ch,
    stdout: ch,
    stderr,
    resize: async (cols, rows) => {
      ch.setWindow(rows, cols, 0, 0);
    },
    signal: (sig) => opts.signal(sig),
    wait: () => exit,
  };
}
