// The extension's line to the user's runner: finds it through the state folder, starts the bundled one
// when none answers, replaces an older one, and reconnects with backoff whenever the connection drops
// (runner restarted, killed, upgraded by another window). vscode-free, so it is tested against a real
// runner process.

import { EventEmitter } from 'node:events';
import { API_VERSION, ApiError } from '../../runner/api';
import { connectRunner, stopRunnerAndWait, type ConnectRunnerOptions } from '../../runner/client/launch';
import type { RunnerClient } from '../../runner/client/runnerClient';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from '../../runner/util/backoff';
import type { RunnerLaunchSpec } from './launchSpec';
import { replaceRunnerBecause } from './versionCompare';

export type RunnerState =
  | { kind: 'connecting'; attempt: number }
  | { kind: 'connected'; version: string; pid: number }
  | { kind: 'disconnected'; attempt: number; error: string; retryAt: number }
  | { kind: 'disposed' };

export interface RunnerConnectionOptions {
  stateDir: string;
  /** How to start the runner when none answers; an Error when the settings are unusable. */
  launch: RunnerLaunchSpec | Error;
  /** Sent in `hello`, shown in the runner's log. */
  clientName: string;
  extensionVersion: string;
  log(message: string): void;
  backoff?: BackoffOptions;
  /** How long one attempt may wait for a runner it started. */
  startTimeoutMs?: number;
  /** How long a stopped runner's process may take to exit. */
  stopTimeoutMs?: number;
  /** Finds (or starts) the runner; tests pass a fake. */
  connect?: (opts: ConnectRunnerOptions) => Promise<RunnerClient>;
}

interface Events {
  state: [RunnerState];
  /** A new connection is up (first connect or reconnect): re-list and re-watch on it. */
  connected: [RunnerClient];
}

export class RunnerConnection extends EventEmitter<Events> {
  private current: RunnerClient | undefined;
  private stateValue: RunnerState = { kind: 'connecting', attempt: 1 };
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private disposed = false;
  /** Set while we close a connection on purpose, so its close event does not count as a drop. */
  private closingOnPurpose = new WeakSet<RunnerClient>();

  constructor(private opts: RunnerConnectionOptions) {
    super();
    this.setMaxListeners(50);
  }

  get state(): RunnerState {
    return this.stateValue;
  }

  get client(): RunnerClient | undefined {
    return this.current?.isOpen ? this.current : undefined;
  }

  get stateDir(): string {
    return this.opts.stateDir;
  }

  /** Starts connecting in the background; never throws, never blocks the caller. */
  start(): void {
    this.loop ??= this.connectLoop().finally(() => (this.loop = undefined));
  }

  /** Resolves with a live client, waiting through reconnects; rejects when `signal` aborts or on dispose. */
  whenConnected(signal?: AbortSignal): Promise<RunnerClient> {
    const c = this.client;
    if (c) return Promise.resolve(c);
    this.start();
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        this.off('connected', onConnected);
        this.off('state', onState);
        signal?.removeEventListener('abort', onAbort);
      };
      const onConnected = (client: RunnerClient) => {
        cleanup();
        resolve(client);
      };
      const onState = (s: RunnerState) => {
        if (s.kind !== 'disposed') return;
        cleanup();
        reject(new ApiError('Unavailable', 'the devrig extension is shutting down'));
      };
      const onAbort = () => {
        cleanup();
        reject(new ApiError('Unavailable', 'cancelled while waiting for the devrig runner'));
      };
      this.on('connected', onConnected);
      this.on('state', onState);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Skips the remaining backoff delay (a user pressed Refresh/Retry). */
  retryNow(): void {
    if (this.client) return;
    this.wake?.();
    this.start();
  }

  /** New settings: drop the current connection and find the runner again. */
  reconfigure(opts: RunnerConnectionOptions): void {
    this.opts = opts;
    this.dropCurrent();
    this.retryNow();
  }

  /**
   * Stops the runner (environments keep running; a new runner adopts them) and starts the bundled one.
   * Every other window reconnects to the new runner on its own.
   */
  async restartRunner(): Promise<void> {
    const c = this.client ?? (await this.whenConnected());
    // From here on there is no usable connection, whatever happens to the old runner.
    this.setState({ kind: 'connecting', attempt: 1 });
    try {
      await this.stopRunner(c);
    } finally {
      // Also when it would not stop: find a runner again (the old one, if it is still there).
      this.retryNow();
    }
    await this.whenConnected();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.wake?.();
    this.dropCurrent();
    this.setState({ kind: 'disposed' });
    this.removeAllListeners();
  }

  private setState(s: RunnerState): void {
    this.stateValue = s;
    this.emit('state', s);
  }

  private dropCurrent(): void {
    const c = this.current;
    this.current = undefined;
    if (c) {
      this.closingOnPurpose.add(c);
      c.close();
    }
  }

  private async connectLoop(): Promise<void> {
    for (let attempt = 1; !this.disposed; attempt++) {
      this.setState({ kind: 'connecting', attempt });
      try {
        const client = await this.connectOnce();
        if (this.disposed) {
          client.close();
          return;
        }
        this.adopt(client);
        return;
      } catch (e) {
        if (this.disposed) return;
        const delay = backoffDelay(attempt, this.opts.backoff ?? DEFAULT_BACKOFF);
        const error = (e as Error).message;
        this.opts.log(`runner: connection attempt ${attempt} failed: ${error}; retrying in ${delay} ms`);
        this.setState({ kind: 'disconnected', attempt, error, retryAt: Date.now() + delay });
        await this.sleep(delay);
      }
    }
  }

  private async connectOnce(): Promise<RunnerClient> {
    const { launch, stateDir, clientName } = this.opts;
    if (launch instanceof Error) throw launch;
    const connect = () =>
      (this.opts.connect ?? connectRunner)({
        stateDir,
        client: clientName,
        autoStart: true,
        runnerScript: launch.runnerScript,
        nodePath: launch.nodePath,
        env: launch.env,
        timeoutMs: this.opts.startTimeoutMs ?? 30_000,
        // A runner of another API version is replaced below (it still answers hello and shutdown).
        allowOtherApiVersion: true,
      });
    const ours = { version: this.opts.extensionVersion, apiVersion: API_VERSION };
    const client = await connect();
    const why = replaceRunnerBecause(describeRunner(client), ours);
    if (!why) return client;
    this.opts.log(`runner: pid ${client.runnerPid} is replaced by ${launch.runnerScript}: ${why}`);
    await this.stopRunner(client);
    const replaced = await connect();
    const still = replaceRunnerBecause(describeRunner(replaced), ours);
    const apiVersion = describeRunner(replaced).apiVersion;
    if (!still) return replaced;
    if (apiVersion !== undefined && apiVersion !== API_VERSION) {
      // devrig.runner.path points at a runner this extension cannot talk to: say so rather than loop.
      replaced.close();
      throw new ApiError('Unavailable', `the runner ${launch.runnerScript} cannot be used: ${still}`);
    }
    // devrig.runner.path points at an older build of the same API: use it rather than loop.
    this.opts.log(`runner: ${launch.runnerScript} is still version ${replaced.runnerVersion}; using it`);
    return replaced;
  }

  /** Asks the runner to shut down and waits for its process to be gone. */
  private async stopRunner(client: RunnerClient): Promise<void> {
    this.closingOnPurpose.add(client);
    if (this.current === client) this.current = undefined;
    const pid = await stopRunnerAndWait(client, this.opts.stopTimeoutMs);
    this.opts.log(`runner: pid ${pid} stopped`);
  }

  private adopt(client: RunnerClient): void {
    this.current = client;
    this.opts.log(`runner: connected to version ${client.runnerVersion} (pid ${client.runnerPid})`);
    client.once('close', (code, reason) => {
      if (this.current === client) this.current = undefined;
      if (this.disposed || this.closingOnPurpose.has(client)) return;
      this.opts.log(`runner: connection closed (${code} ${reason}); reconnecting`);
      this.start();
    });
    this.setState({ kind: 'connected', version: client.runnerVersion, pid: client.runnerPid });
    this.emit('connected', client);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}

/** What the runner said in `hello`. */
function describeRunner(client: RunnerClient): { version: string; apiVersion: number } {
  return { version: client.runnerVersion, apiVersion: client.runnerApiVersion };
}
