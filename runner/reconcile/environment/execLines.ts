import type { ContainerProvider, ExecOptions } from '../../providers/provider';
import { lines } from '../../util/lines';

export interface ExecResult {
  code: number | null;
  /** The last lines of output, for error messages. */
  tail: string[];
}

/**
 * Runs a command in a container and hands its output over line by line. Aborting
 * sends SIGTERM to the command's process tree (then SIGKILL after a grace period).
 */
export async function execLines(
  provider: ContainerProvider,
  containerId: string,
  opts: Omit<ExecOptions, 'tty' | 'stdin'>,
  onLine: (line: string, stream: 'stdout' | 'stderr') => void,
  signal?: AbortSignal,
  tailSize = 15,
): Promise<ExecResult> {
  const p = await provider.exec(containerId, { ...opts, tty: false, stdin: false });
  const tail: string[] = [];
  const pump = (stream: NodeJS.ReadableStream, name: 'stdout' | 'stderr') =>
    lines(stream, (line) => {
      tail.push(line);
      if (tail.length > tailSize) tail.shift();
      onLine(line, name);
    });
  pump(p.stdout, 'stdout');
  pump(p.stderr, 'stderr');
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    void p.signal('TERM').catch(() => {});
    killTimer = setTimeout(() => void p.signal('KILL').catch(() => {}), 5000);
    killTimer.unref?.();
  };
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const { code } = await p.wait();
    return { code, tail };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (killTimer) clearTimeout(killTimer);
  }
}

/** Runs a short command as root and returns its stdout (markers, probes). */
export async function execOutput(
  provider: ContainerProvider,
  containerId: string,
  cmd: string[],
  user = 'root',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = await provider.exec(containerId, { cmd, user, tty: false, stdin: false });
  let stdout = '';
  let stderr = '';
  p.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  p.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
  const { code } = await p.wait();
  return { code, stdout, stderr };
}
