// A command run for an agent: output kept within a budget, ended when it runs past its time.
import type { RunnerClient } from '../../client/runnerClient';
import { OutputCap } from './outputCap';

export interface ExecRequest {
  environment: string;
  command: string[];
  workdir?: string;
  user?: string;
  env?: Record<string, string>;
  timeoutMs: number;
  /** Per stream (stdout, stderr). */
  maxOutputBytes: number;
  /** Aborted when the agent cancels the call. */
  signal?: AbortSignal;
}

export interface ExecOutcome {
  exitCode: number | null;
  signal?: string;
  stdout: string;
  stderr: string;
  stdoutBytes: number;
  stderrBytes: number;
  truncated: boolean;
  /** Ended by devrig: it ran past its timeout, or the agent cancelled the call. */
  ended?: 'timeout' | 'cancelled';
  durationMs: number;
}

/** How long a process gets to go after SIGTERM, and then after SIGKILL, before the stream is dropped. */
const GRACE_MS = 2000;

export async function execCapture(client: RunnerClient, req: ExecRequest): Promise<ExecOutcome> {
  const started = Date.now();
  const out = new OutputCap(req.maxOutputBytes);
  const err = new OutputCap(req.maxOutputBytes);
  let exit: { code: number | null; signal?: string } | undefined;
  const h = await client.stream(
    'exec',
    {
      name: req.environment,
      command: req.command,
      tty: false,
      workdir: req.workdir,
      user: req.user,
      env: req.env,
    },
    (e) => {
      if (e.kind === 'stdout') out.write(Buffer.from(e.data, 'base64'));
      else if (e.kind === 'stderr') err.write(Buffer.from(e.data, 'base64'));
      else exit = { code: e.code, signal: e.signal };
    },
  );
  // No input: the command sees end of file at once, as a non-interactive `devrig exec` does.
  void client.call('exec.input', { id: h.id, eof: true }).catch(() => {});
  const finished: Promise<true> = h.done.then(
    () => true as const,
    () => true as const,
  );
  let ended: ExecOutcome['ended'];
  const timeUp = new Promise<'timeout'>((r) => {
    const t = setTimeout(() => r('timeout'), req.timeoutMs);
    void finished.then(() => clearTimeout(t));
  });
  const cancelled = new Promise<'cancelled'>((r) => {
    if (req.signal?.aborted) r('cancelled');
    req.signal?.addEventListener('abort', () => r('cancelled'), { once: true });
  });
  const first = await Promise.race([finished, timeUp, cancelled]);
  if (first !== true) {
    ended = first;
    // Ended as a person would: TERM, then KILL, to the whole process tree; then drop the stream.
    for (const sig of ['TERM', 'KILL']) {
      await client.call('exec.signal', { id: h.id, signal: sig }).catch(() => {});
      if (await within(finished, GRACE_MS)) break;
    }
    if (!(await within(finished, 0))) await h.cancel();
  }
  return {
    exitCode: exit?.code ?? null,
    signal: exit?.signal,
    stdout: out.text('stdout'),
    stderr: err.text('stderr'),
    stdoutBytes: out.total,
    stderrBytes: err.total,
    truncated: out.truncated || err.truncated,
    ...(ended ? { ended } : {}),
    durationMs: Date.now() - started,
  };
}

function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    void p.then(() => {
      clearTimeout(t);
      resolve(true);
    });
  });
}
