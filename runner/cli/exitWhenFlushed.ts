// How a finished CLI command ends its process. Its streams to the runner must not keep it alive, so
// it exits explicitly; but stdout and stderr may be pipes whose reader is slower than we are (`| less`,
// `| jq` on a loaded machine), and Node queues what the pipe could not take yet. `process.exit` drops
// that queue: `devrig logs NAME | cat` used to stop at 64 KiB. So: exit only once both are flushed.

type Output = Pick<NodeJS.WriteStream, 'write' | 'on' | 'writable'>;

/** 128 + SIGPIPE: the exit status of a program whose reader went away (as `git` or `kubectl` end). */
export const BROKEN_PIPE_EXIT_CODE = 141;

/**
 * A reader that went away (`devrig logs NAME | head`) makes the next write fail with EPIPE: nothing
 * more can be written, so end at once, quietly (Node would otherwise die on the unhandled 'error' with a
 * stack trace).
 */
export function exitQuietlyOnBrokenPipe(
  streams: Output[] = [process.stdout, process.stderr],
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  for (const s of streams) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') exit(BROKEN_PIPE_EXIT_CODE);
      else throw e;
    });
  }
}

/**
 * Exits with `code` once everything written to `streams` so far has been handed to the OS. A write
 * callback runs after every earlier write on its stream, so an empty write marks the end of the queue.
 */
export function exitWhenFlushed(
  code: number,
  streams: Output[] = [process.stdout, process.stderr],
  exit: (code: number) => void = (c) => process.exit(c),
): void {
  let pending = streams.length;
  const flushed = () => {
    if (--pending === 0) exit(code);
  };
  for (const s of streams) {
    if (!s.writable) flushed();
    // A failed write is a reader gone (see exitQuietlyOnBrokenPipe): what is left cannot be delivered.
    else s.write('', (e) => (e ? exit(BROKEN_PIPE_EXIT_CODE) : flushed()));
  }
}
