import { spawn } from 'node:child_process';
import { LineSplitter } from '../util/lines';

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunProcessOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Each line of stderr (Compose writes its progress there) and, with `logStdout`, of stdout. */
  log?: (line: string) => void;
  logStdout?: boolean;
  signal?: AbortSignal;
  /** Killed (and rejected) after this long. */
  timeoutMs?: number;
}

/** A program that could not be started at all (not installed, not executable). */
export class ProgramNotFoundError extends Error {
  constructor(
    readonly program: string,
    options?: ErrorOptions,
  ) {
    super(`${program} was not found`, options);
    this.name = 'ProgramNotFoundError';
  }
}

/** How Compose programs are run: a seam, so the pure parts around it are tested without one. */
export type ProcessRunner = (
  command: string,
  args: readonly string[],
  opts?: RunProcessOptions,
) => Promise<ProcessResult>;

const MAX_CAPTURE = 64 * 1024 * 1024;

/**
 * Runs a program with no input and collects its output. Resolves with the exit code whatever it is
 * (callers decide what failure means); rejects only when it cannot start (ProgramNotFoundError), is
 * aborted, or runs past `timeoutMs`.
 */
export const runProcess: ProcessRunner = (command, args, opts = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: opts.signal,
    });
    let stdout = '';
    let stderr = '';
    const out = new LineSplitter(true);
    const err = new LineSplitter(true);
    const log = (l: string) => {
      if (l.trim()) opts.log?.(l);
    };
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < MAX_CAPTURE) stdout += d.toString('utf8');
      if (opts.logStdout) out.push(d).forEach(log);
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < MAX_CAPTURE) stderr += d.toString('utf8');
      err.push(d).forEach(log);
    });
    let timedOut = false;
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, opts.timeoutMs);
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      if (e.code === 'ENOENT' || e.code === 'EACCES') reject(new ProgramNotFoundError(command, { cause: e }));
      else reject(e);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      if (opts.logStdout) out.end().forEach(log);
      err.end().forEach(log);
      if (timedOut) {
        reject(new Error(`${command} ${args.join(' ')} did not finish within ${opts.timeoutMs} ms`));
      } else resolve({ code, stdout, stderr });
    });
  });

/** The last few non-empty lines of a program's error output, for messages. */
export function lastLines(text: string, count = 4): string {
  return text
    .split(/\r?\n|\r/)
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-count)
    .join(' | ');
}
