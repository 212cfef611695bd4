// A VS Code terminal into an environment through the runner's `exec` stream (a login shell with a TTY):
// keystrokes go out as exec.input, size changes as exec.resize. No SSH or Remote-SSH involved.

import { StringDecoder } from 'node:string_decoder';
import * as vscode from 'vscode';
import type { RunnerClient, StreamHandle } from '../../runner/client/runnerClient';

export interface ExecTerminalOptions {
  name: string;
  /** A live client, or a way to wait for one. */
  client: () => Promise<RunnerClient>;
  log: vscode.LogOutputChannel;
}

export class ExecPseudoterminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private client: RunnerClient | undefined;
  private handle: StreamHandle<unknown> | undefined;
  private readonly decoder = new StringDecoder('utf8');
  private dims: vscode.TerminalDimensions | undefined;
  /** After the session ended: the next key closes the terminal (so its last words can be read). */
  private ended = false;
  /** Input typed before the stream was open. */
  private queued: string[] = [];

  constructor(private readonly opts: ExecTerminalOptions) {}

  open(initial: vscode.TerminalDimensions | undefined): void {
    this.dims = initial;
    void this.start();
  }

  private async start(): Promise<void> {
    try {
      const client = await this.opts.client();
      this.client = client;
      this.handle = await client.stream(
        'exec',
        { name: this.opts.name, tty: true, cols: this.dims?.columns, rows: this.dims?.rows },
        (e) => {
          if (e.kind === 'exit') return this.finish(e.code, e.signal);
          this.writeEmitter.fire(this.decoder.write(Buffer.from(e.data, 'base64')));
        },
      );
      const queued = this.queued.splice(0);
      for (const q of queued) this.send(q);
      // A resize that happened while connecting.
      if (this.dims) this.resize(this.dims);
      this.handle.done.then(
        () => this.finish(null),
        (err: Error) => this.fail(`the session ended: ${err.message}`),
      );
    } catch (e) {
      this.fail((e as Error).message);
    }
  }

  handleInput(data: string): void {
    if (this.ended) return this.closeEmitter.fire();
    if (!this.handle) {
      this.queued.push(data);
      return;
    }
    this.send(data);
  }

  setDimensions(dims: vscode.TerminalDimensions): void {
    this.dims = dims;
    if (this.handle) this.resize(dims);
  }

  close(): void {
    this.ended = true;
    void this.handle?.cancel();
    this.dispose();
  }

  private send(data: string): void {
    if (!this.handle || !this.client) return;
    this.client
      .call('exec.input', { id: this.handle.id, data: Buffer.from(data, 'utf8').toString('base64') })
      .catch((e: Error) =>
        this.opts.log.debug(`terminal ${this.opts.name}: input not delivered: ${e.message}`),
      );
  }

  private resize(d: vscode.TerminalDimensions): void {
    if (!this.handle || !this.client || d.columns < 1 || d.rows < 1) return;
    this.client
      .call('exec.resize', {
        id: this.handle.id,
        cols: Math.min(d.columns, 1000),
        rows: Math.min(d.rows, 1000),
      })
      .catch(() => {});
  }

  private finish(code: number | null, signal?: string): void {
    if (this.ended) return;
    this.ended = true;
    const tail = this.decoder.end();
    if (tail) this.writeEmitter.fire(tail);
    if (code === 0) return this.closeEmitter.fire(0);
    this.writeEmitter.fire(
      `\r\n\x1b[2m[session ended${signal ? ` by ${signal}` : code !== null ? ` with exit code ${code}` : ''}; press any key to close]\x1b[0m\r\n`,
    );
  }

  private fail(message: string): void {
    if (this.ended) return;
    this.ended = true;
    this.opts.log.warn(`terminal ${this.opts.name}: ${message}`);
    this.writeEmitter.fire(
      `\r\n\x1b[31mdevrig: ${message.replace(/\n/g, '\r\n')}\x1b[0m\r\n\x1b[2m[press any key to close]\x1b[0m\r\n`,
    );
  }

  private dispose(): void {
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }
}
