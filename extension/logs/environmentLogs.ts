// "Show Logs": one output channel per environment, streaming the runner's `logs` (build, lifecycle and
// container output) with follow. A dropped connection re-follows on the next one without repeating
// what was already shown.

import * as vscode from 'vscode';
import type { RunnerClient } from '../../runner/client/runnerClient';
import type { RunnerConnection } from '../runner/runnerConnection';

interface Follow {
  channel: vscode.OutputChannel;
  cancel?: () => Promise<void>;
  /** Whether the history was shown already (a re-follow then asks for no tail). */
  primed: boolean;
}

export class EnvironmentLogs implements vscode.Disposable {
  private readonly follows = new Map<string, Follow>();
  private readonly onConnected = (client: RunnerClient) => {
    for (const [name, f] of this.follows) void this.follow(client, name, f);
  };

  constructor(
    private readonly runner: RunnerConnection,
    private readonly log: vscode.LogOutputChannel,
  ) {
    runner.on('connected', this.onConnected);
  }

  async show(name: string): Promise<void> {
    let f = this.follows.get(name);
    if (!f) {
      f = { channel: vscode.window.createOutputChannel(`devrig: ${name}`), primed: false };
      this.follows.set(name, f);
      const client = this.runner.client ?? (await this.runner.whenConnected());
      await this.follow(client, name, f);
    }
    f.channel.show(true);
  }

  /** The environment is gone: its channel stays readable but stops following. */
  stop(name: string): void {
    const f = this.follows.get(name);
    void f?.cancel?.();
    this.follows.delete(name);
  }

  private async follow(client: RunnerClient, name: string, f: Follow): Promise<void> {
    try {
      const handle = await client.stream(
        'logs',
        { name, follow: true, ...(f.primed ? { tail: 0 } : { tail: 2000 }) },
        (e) => f.channel.append(e.data),
      );
      f.primed = true;
      f.cancel = () => handle.cancel();
      handle.done.catch((e: Error) => this.log.debug(`logs ${name}: ${e.message}`));
    } catch (e) {
      f.channel.appendLine(`[devrig: cannot follow the logs of ${name}: ${(e as Error).message}]`);
      this.log.warn(`logs ${name}: ${(e as Error).message}`);
    }
  }

  dispose(): void {
    this.runner.off('connected', this.onConnected);
    for (const f of this.follows.values()) {
      void f.cancel?.();
      f.channel.dispose();
    }
    this.follows.clear();
  }
}
