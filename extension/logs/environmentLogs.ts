// "Show Logs": one output channel per environment, streaming the runner's `logs` (build, lifecycle and
// container output) with follow. Following starts in one place (follow()), whenever there is a connection:
// at once when there is one, else on the next 'connected'. After a dropped connection the re-follow asks
// for a tail again and adds only the lines logged meanwhile (LogResume); when those cannot be told apart
// from what was shown, a marker line says so. A deleted environment's channel is disposed.

import * as vscode from 'vscode';
import type { RunnerClient } from '../../runner/client/runnerClient';
import type { RunnerConnection } from '../runner/runnerConnection';
import { LogResume, RESUME_TAIL_LINES } from './logResume';

/** Lines of history shown when a channel first opens. */
const FIRST_TAIL_LINES = 2000;

interface Follow {
  channel: vscode.OutputChannel;
  cancel?: () => Promise<void>;
  /** Whether the history was shown already (a re-follow then resumes after it). */
  primed: boolean;
  resume: LogResume;
  /** Bumped by every follow and by stop(): an older follow's stream is dropped. */
  generation: number;
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
      f = {
        channel: vscode.window.createOutputChannel(`devrig: ${name}`),
        primed: false,
        resume: new LogResume(),
        generation: 0,
      };
      this.follows.set(name, f);
      const client = this.runner.client;
      if (client) await this.follow(client, name, f);
      else {
        // The next 'connected' follows it, like every other channel.
        f.channel.appendLine('[devrig: waiting for the runner…]');
        this.runner.start();
      }
    }
    f.channel.show(true);
  }

  /** The environment is gone: stop following and dispose its channel (a new one starts afresh). */
  stop(name: string): void {
    const f = this.follows.get(name);
    if (!f) return;
    this.follows.delete(name);
    f.generation++;
    void f.cancel?.();
    f.channel.dispose();
  }

  private async follow(client: RunnerClient, name: string, f: Follow): Promise<void> {
    const generation = ++f.generation;
    const current = () => f.generation === generation && this.follows.get(name) === f;
    void f.cancel?.();
    f.cancel = undefined;
    const resuming = f.primed;
    // A re-follow's tail is held back until it is complete, then only its new lines are shown.
    let replay: string | undefined = resuming ? '' : undefined;
    const append = (text: string) => {
      if (!text) return;
      f.channel.append(text);
      f.resume.shown(text);
      f.primed = true;
    };
    try {
      const handle = await client.stream(
        'logs',
        { name, follow: true, tail: resuming ? RESUME_TAIL_LINES : FIRST_TAIL_LINES },
        (e) => {
          if (!current()) return;
          if (replay !== undefined) replay += e.data;
          else append(e.data);
        },
      );
      if (!current()) return void handle.cancel();
      if (replay !== undefined) {
        const resumed = f.resume.resume(replay);
        replay = undefined;
        if (resumed.gap)
          f.channel.appendLine('[devrig: reconnected to the runner; some lines may be missing or repeated]');
        f.channel.append(resumed.text);
      }
      f.primed = true;
      f.cancel = () => handle.cancel();
      handle.done.catch((e: Error) => this.log.debug(`logs ${name}: ${e.message}`));
    } catch (e) {
      if (!current()) return;
      f.channel.appendLine(`[devrig: cannot follow the logs of ${name}: ${(e as Error).message}]`);
      this.log.warn(`logs ${name}: ${(e as Error).message}`);
    }
  }

  dispose(): void {
    this.runner.off('connected', this.onConnected);
    for (const f of this.follows.values()) {
      f.generation++;
      void f.cancel?.();
      f.channel.dispose();
    }
    this.follows.clear();
  }
}
