// A VS Code terminal into an environment through the runner's `exec` stream (ExecSession): keystrokes go
// out as exec.input, size changes as exec.resize. No SSH or Remote-SSH involved.

import * as vscode from 'vscode';
import type { RunnerClient } from '../../runner/client/runnerClient';
import { ExecSession } from './execSession';

export interface ExecTerminalOptions {
  name: string;
  /** A live client, or a wait for one that `signal` cancels (the terminal was closed meanwhile). */
  client: (signal: AbortSignal) => Promise<RunnerClient>;
  log: vscode.LogOutputChannel;
}

export class ExecPseudoterminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  private readonly session: ExecSession;
  /** After the session ended: the next key closes the terminal (so its last words can be read). */
  private ended = false;

  constructor(opts: ExecTerminalOptions) {
    this.session = new ExecSession(
      { name: opts.name, client: opts.client, debug: (m) => opts.log.debug(m) },
      {
        output: (text) => this.writeEmitter.fire(text),
        exited: (code, signal) => {
          this.ended = true;
          if (code === 0) return this.closeEmitter.fire(0);
          this.writeEmitter.fire(
            `\r\n\x1b[2m[session ended${signal ? ` by ${signal}` : code !== null ? ` with exit code ${code}` : ''}; press any key to close]\x1b[0m\r\n`,
          );
        },
        failed: (message) => {
          this.ended = true;
          opts.log.warn(`terminal ${opts.name}: ${message}`);
          this.writeEmitter.fire(
            `\r\n\x1b[31mdevrig: ${message.replace(/\n/g, '\r\n')}\x1b[0m\r\n\x1b[2m[press any key to close]\x1b[0m\r\n`,
          );
        },
      },
    );
  }

  open(initial: vscode.TerminalDimensions | undefined): void {
    void this.session.open(initial);
  }

  handleInput(data: string): void {
    if (this.ended) return this.closeEmitter.fire();
    this.session.input(data);
  }

  setDimensions(dims: vscode.TerminalDimensions): void {
    this.session.resize(dims);
  }

  close(): void {
    this.session.close();
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
  }
}
