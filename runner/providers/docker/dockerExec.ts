import { randomBytes } from 'node:crypto';
import { PassThrough, Readable, type Duplex } from 'node:stream';
import type Docker from 'dockerode';
import type { ContainerLogsOptions, ExecOptions, ExecProcess } from '../provider';
import { EXEC_MARKER, SIGNAL_MARKED_SCRIPT, signalMarkedArgs } from '../markedProcesses';
import { LineSplitter } from '../../util/lines';
import { demux } from './demux';
import { EngineError } from './errors';

/** A process started in a container through the Engine API's exec, with its streams and exit code. */
export async function dockerExec(docker: Docker, id: string, opts: ExecOptions): Promise<ExecProcess> {
  const container = docker.getContainer(id);
  // A marker in the process environment lets signal() find the process tree inside
  // the container, the same way for a local engine and a remote one.
  const marker = randomBytes(8).toString('hex');
  const env = { ...opts.env, [EXEC_MARKER]: marker };
  let exec: Docker.Exec;
  let stream: Duplex;
  try {
    exec = await container.exec({
      Cmd: opts.cmd,
      AttachStdin: opts.stdin,
      AttachStdout: true,
      AttachStderr: true,
      Tty: opts.tty,
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      User: opts.user,
      WorkingDir: opts.workdir,
    });
    stream = (await exec.start({ hijack: true, stdin: opts.stdin, Tty: opts.tty })) as Duplex;
  } catch (e) {
    throw new EngineError(`exec in container ${id.slice(0, 12)}`, e);
  }
  stream.on('error', () => {});
  if (opts.tty && opts.cols && opts.rows) await exec.resize({ h: opts.rows, w: opts.cols }).catch(() => {});
  let stdout: Readable;
  let stderr: Readable;
  if (opts.tty) {
    stdout = stream;
    stderr = new PassThrough();
    (stderr as PassThrough).end();
  } else {
    ({ stdout, stderr } = demux(stream));
  }
  // A failing or destroyed attach stream errors these; unheard, that would crash the runner.
  stdout.on('error', () => {});
  stderr.on('error', () => {});
  if (!opts.stdin) stream.end();
  const ended = new Promise<void>((resolve) => {
    let n = 0;
    const one = () => {
      if (++n === 2) resolve();
    };
    stdout.once('end', one).once('close', one).once('error', one);
    stream.once('close', () => resolve());
  });
  let exitPromise: Promise<{ code: number | null }> | undefined;
  return {
    stdin: stream,
    stdout,
    stderr,
    resize: async (cols, rows) => {
      await exec.resize({ h: rows, w: cols }).catch(() => {});
    },
    signal: async (signal) => {
      await signalMarked(docker, id, marker, signal, opts.user);
    },
    wait: () => {
      exitPromise ??= (async () => {
        await ended;
        // The stream can close a moment before the engine records the exit code.
        for (let i = 0; i < 50; i++) {
          const info = await exec.inspect().catch(() => undefined);
          if (!info) return { code: null };
          if (!info.Running) return { code: info.ExitCode ?? null };
          await new Promise((r) => setTimeout(r, 20));
        }
        return { code: null };
      })();
      return exitPromise;
    },
  };
}

async function signalMarked(
  docker: Docker,
  id: string,
  marker: string,
  signal: string,
  user?: string,
): Promise<void> {
  const p = await dockerExec(docker, id, {
    cmd: ['/bin/sh', '-c', SIGNAL_MARKED_SCRIPT, 'devrig-signal', ...signalMarkedArgs(signal, marker)],
    tty: false,
    stdin: false,
    // As the session's own user: without CAP_SYS_PTRACE (Docker's default) even root cannot
    // read another user's /proc/PID/environ, where the marker is.
    user,
  });
  p.stdout.resume();
  p.stderr.resume();
  await p.wait();
}

/**
 * A container's own output (`docker logs`), stdout and stderr line by line (each stream cut into
 * lines of its own); with `follow`, until the container stops or `signal` aborts.
 */
export async function dockerContainerLogs(
  docker: Docker,
  id: string,
  opts: ContainerLogsOptions,
  onLine: (line: string) => void,
): Promise<void> {
  const c = docker.getContainer(id);
  let raw: Readable;
  let tty: boolean;
  try {
    tty = (await c.inspect()).Config.Tty;
    const params = {
      stdout: true,
      stderr: true,
      follow: opts.follow === true,
      ...(opts.tail !== undefined ? { tail: opts.tail } : {}),
    };
    // Without `follow` the engine answers with the whole log at once (a Buffer).
    const answer = (await c.logs(params as never)) as unknown as Readable | Buffer;
    raw = Buffer.isBuffer(answer) ? Readable.from([answer]) : answer;
  } catch (e) {
    throw new EngineError(`reading the log of container ${id.slice(0, 12)}`, e);
  }
  const onAbort = () => raw.destroy();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  // Without a TTY the engine multiplexes both streams; with one it sends the terminal's bytes.
  const streams: Readable[] = tty ? [raw] : Object.values(demux(raw));
  try {
    await Promise.all(
      streams.map(
        (stream) =>
          new Promise<void>((resolve, reject) => {
            const split = new LineSplitter();
            stream.on('data', (d: Buffer) => split.push(d).forEach(onLine));
            const done = () => {
              split.end().forEach(onLine);
              resolve();
            };
            stream.once('end', done);
            stream.once('close', done);
            raw.once('close', done);
            stream.once('error', (e) => (opts.signal?.aborted ? done() : reject(e)));
          }),
      ),
    );
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
