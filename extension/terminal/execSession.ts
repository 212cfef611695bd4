// One shell session in an environment through the runner's `exec` stream (a login shell with a TTY):
// waits for a runner connection, opens the stream, sends keystrokes and size changes, and reports output
// and the end. Closing it at any moment — even while it still waits for the runner or for the stream to
// open — leaves no shell behind. vscode-free (ExecPseudoterminal adapts it), so it is unit-tested.

import { StringDecoder } from 'node:string_decoder';
import type { RunnerClient, StreamHandle } from '../../runner/client/runnerClient';

type Client = Pick<RunnerClient, 'stream' | 'call'>;

export interface TerminalSize {
  columns: number;
  rows: number;
}

export interface ExecSessionOptions {
  /** The environment. */
  name: string;
  /** A live client, or a wait for one that `signal` cancels. */
  client(signal: AbortSignal): Promise<Client>;
  debug?(message: string): void;
}

export interface ExecSessionSink {
  output(text: string): void;
  /** The shell exited (code null when unknown, e.g. the stream ended without an exit status). */
  exited(code: number | null, signal?: string): void;
  /** The session could not start or broke off. */
  failed(message: string): void;
}

export class ExecSession {
  private client: Client | undefined;
  private handle: StreamHandle<unknown> | undefined;
  private readonly decoder = new StringDecoder('utf8');
  private readonly abort = new AbortController();
  private size: TerminalSize | undefined;
  /** Input typed before the stream was open. */
  private queued: string[] = [];
  /** The sink was told the session is over. */
  private over = false;
  /** Closed by the user: nothing more is opened, sent or reported. */
  private closed = false;

  constructor(
    private readonly opts: ExecSessionOptions,
    private readonly sink: ExecSessionSink,
  ) {}

  async open(size: TerminalSize | undefined): Promise<void> {
    this.size = size;
    try {
      const client = await this.opts.client(this.abort.signal);
      if (this.closed) return;
      this.client = client;
      const handle = await client.stream(
        'exec',
        { name: this.opts.name, tty: true, cols: this.size?.columns, rows: this.size?.rows },
        (e) => {
          if (this.closed) return;
          if (e.kind === 'exit') return this.finish(e.code, e.signal);
          this.sink.output(this.decoder.write(Buffer.from(e.data, 'base64')));
        },
      );
      if (this.closed) {
        // Closed while the stream was being opened: the shell exists now, end it.
        void handle.cancel().catch(() => {});
        return;
      }
      this.handle = handle;
      for (const q of this.queued.splice(0)) this.send(q);
      // A resize that happened while connecting.
      if (this.size) this.resize(this.size);
      handle.done.then(
        () => this.finish(null),
        (err: Error) => this.fail(`the session ended: ${err.message}`),
      );
    } catch (e) {
      this.fail((e as Error).message);
    }
  }

  input(data: string): void {
    if (this.closed || this.over) return;
    if (!this.handle) {
      this.queued.push(data);
      return;
    }
    this.send(data);
  }

  resize(size: TerminalSize): void {
    this.size = size;
    if (!this.handle || !this.client || this.closed || size.columns < 1 || size.rows < 1) return;
    this.client
      .call('exec.resize', {
        id: this.handle.id,
        cols: Math.min(size.columns, 1000),
        rows: Math.min(size.rows, 1000),
      })
      .catch(() => {});
  }

  /** The user closed the terminal: stop waiting, end the shell (now, or as soon as its stream opens). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.queued = [];
    void this.handle?.cancel().catch(() => {});
  }

  private send(data: string): void {
    if (!this.handle || !this.client) return;
    this.client
      .call('exec.input', { id: this.handle.id, data: Buffer.from(data, 'utf8').toString('base64') })
      .catch((e: Error) =>
        this.opts.debug?.(`terminal ${this.opts.name}: input not delivered: ${e.message}`),
      );
  }

  private finish(code: number | null, signal?: string): void {
    if (this.over || this.closed) return;
    this.over = true;
    const tail = this.decoder.end();
    if (tail) this.sink.output(tail);
    this.sink.exited(code, signal);
  }

  private fail(message: string): void {
    if (this.over || this.closed) return;
    this.over = true;
    this.sink.failed(message);
  }
}
