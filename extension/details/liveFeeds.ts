// The runner streams one details panel follows: the environment's log (from a recent tail, then live)
// and Docker stats while its container runs. Both restart on every new runner connection; stats also
// follow the container (a restart or rebuild gives a new one). Both retry with backoff when the runner
// refuses them (stats also when it ends them early). What arrived is kept (bounded) so a page rebuilt on
// reveal or reload starts complete. vscode-free.

import { STATS_WINDOW_MS, type Environment, type StatsSample } from '../../runner/api';
import type { RunnerClient } from '../../runner/client/runnerClient';

type Client = Pick<RunnerClient, 'stream' | 'isOpen'>;

/** The part of RunnerConnection the feeds use. */
export interface FeedRunner {
  readonly client: Client | undefined;
  on(event: 'connected', listener: (client: Client) => void): unknown;
  off(event: 'connected', listener: (client: Client) => void): unknown;
}

export interface FeedSink {
  log(data: string, reset: boolean): void;
  stats(sample: StatsSample): void;
}

export interface FeedOptions {
  /** Log lines asked for when (re)following. */
  tailLines?: number;
  /** Kept log text, in characters; older text is dropped at a line boundary. */
  maxLogChars?: number;
  statsWindowMs?: number;
  retryDelaysMs?: readonly number[];
  warn?(message: string): void;
}

const DEFAULTS: Required<Omit<FeedOptions, 'warn'>> = {
  tailLines: 1000,
  maxLogChars: 512 * 1024,
  statsWindowMs: STATS_WINDOW_MS,
  retryDelaysMs: [1000, 2000, 5000, 10_000],
};

interface Running {
  cancel(): void;
}

export class LiveFeeds {
  private logText = '';
  private samples: StatsSample[] = [];
  private logFeed: Running | undefined;
  /** A follow that failed is retried after a delay, not on every watch event. */
  private logRetry: ReturnType<typeof setTimeout> | undefined;
  private logFailures = 0;
  private statsFeed: (Running & { containerId: string }) | undefined;
  private statsRetry: ReturnType<typeof setTimeout> | undefined;
  private statsFailures = 0;
  /** The container a scheduled retry is for. */
  private retryFor: string | undefined;
  private lastContainer: string | undefined;
  private env: Environment | undefined;
  private disposed = false;
  private readonly opts: typeof DEFAULTS & Pick<FeedOptions, 'warn'>;
  private readonly onConnected = (client: Client) => this.restart(client);

  constructor(
    private readonly name: string,
    private readonly runner: FeedRunner,
    private readonly sink: FeedSink,
    opts: FeedOptions = {},
  ) {
    this.opts = { ...DEFAULTS, ...opts };
    runner.on('connected', this.onConnected);
    const client = runner.client;
    if (client) this.restart(client);
  }

  /** The log text and samples kept so far, for a page that starts from scratch. */
  snapshot(): { log: string; stats: StatsSample[] } {
    return { log: this.logText, stats: [...this.samples] };
  }

  /** The environment changed (watch event): start, keep or stop the stats feed to match it. */
  update(env: Environment | undefined): void {
    this.env = env;
    const client = this.runner.client;
    if (!client) return;
    if (env && !this.logFeed && !this.logRetry) this.followLog(client);
    this.reconcileStats(client);
  }

  dispose(): void {
    this.disposed = true;
    this.runner.off('connected', this.onConnected);
    this.logFeed?.cancel();
    this.stopLogRetry();
    this.stopStats();
  }

  private restart(client: Client): void {
    if (this.disposed) return;
    this.logFeed?.cancel();
    this.logFeed = undefined;
    this.stopLogRetry();
    this.logFailures = 0;
    this.stopStats();
    this.statsFailures = 0;
    this.followLog(client);
    this.reconcileStats(client);
  }

  private followLog(client: Client): void {
    let reset = true;
    let cancelled = false;
    let cancel: (() => Promise<void>) | undefined;
    const feed: Running = {
      cancel: () => {
        cancelled = true;
        void cancel?.();
      },
    };
    this.logFeed = feed;
    const onData = (data: string) => {
      if (cancelled) return;
      this.keepLog(data, reset);
      this.sink.log(data, reset);
      reset = false;
    };
    client
      .stream('logs', { name: this.name, follow: true, tail: this.opts.tailLines }, (e) => onData(e.data))
      .then(
        (handle) => {
          cancel = handle.cancel;
          if (cancelled) return void handle.cancel();
          this.logFailures = 0;
          if (reset) onData(''); // no tail: still replace what a previous connection left
          // Ended with the connection up (say, the environment was deleted): update() follows again once
          // the environment is back. A dropped connection is re-followed on the next 'connected'.
          const ended = () => {
            if (this.logFeed === feed && client.isOpen) this.logFeed = undefined;
          };
          handle.done.then(ended, ended);
        },
        (e: Error) => {
          if (this.logFeed !== feed) return;
          this.logFeed = undefined;
          // Usually NotFound before the environment is known: update() follows once it is.
          if (!this.env || !client.isOpen) {
            this.opts.warn?.(`details ${this.name}: cannot follow the log: ${e.message}`);
            return;
          }
          const delay = this.retryDelay(this.logFailures++);
          this.opts.warn?.(
            `details ${this.name}: cannot follow the log: ${e.message}; retrying in ${delay} ms`,
          );
          this.logRetry = setTimeout(() => {
            this.logRetry = undefined;
            if (!this.disposed && client.isOpen && this.env && !this.logFeed) this.followLog(client);
          }, delay);
        },
      );
  }

  private keepLog(data: string, reset: boolean): void {
    let text = reset ? data : this.logText + data;
    if (text.length > this.opts.maxLogChars) {
      const cut = text.length - this.opts.maxLogChars;
      const nl = text.indexOf('\n', cut);
      text = nl >= 0 ? text.slice(nl + 1) : text.slice(cut);
    }
    this.logText = text;
  }

  private reconcileStats(client: Client): void {
    const env = this.env;
    const want = env?.status.phase === 'Running' ? env.status.containerId : undefined;
    const have = this.statsFeed?.containerId ?? this.retryFor;
    if (want === have) return;
    this.stopStats();
    if (want !== this.lastContainer) this.statsFailures = 0;
    this.lastContainer = want;
    if (want && client.isOpen) this.followStats(client, want);
  }

  private followStats(client: Client, containerId: string): void {
    let cancelled = false;
    let cancel: (() => Promise<void>) | undefined;
    const feed = {
      containerId,
      cancel: () => {
        cancelled = true;
        void cancel?.();
      },
    };
    this.statsFeed = feed;
    const ended = (e?: Error) => {
      if (cancelled || this.statsFeed !== feed) return;
      this.statsFeed = undefined;
      if (!client.isOpen) return; // the next 'connected' restarts everything
      const delay = this.retryDelay(this.statsFailures++);
      if (e) this.opts.warn?.(`details ${this.name}: stats: ${e.message}; retrying in ${delay} ms`);
      this.retryFor = containerId;
      this.statsRetry = setTimeout(() => {
        this.statsRetry = undefined;
        this.retryFor = undefined;
        if (!this.disposed && client.isOpen) this.reconcileStats(client);
      }, delay);
    };
    client
      .stream('stats', { name: this.name }, (sample) => {
        if (cancelled || !this.keepSample(sample)) return;
        this.statsFailures = 0;
        this.sink.stats(sample);
      })
      .then(
        (handle) => {
          cancel = handle.cancel;
          if (cancelled) return void handle.cancel();
          handle.done.then(
            () => ended(),
            (e: Error) => ended(e),
          );
        },
        (e: Error) => ended(e),
      );
  }

  /** The backoff both feeds use: the n-th failure in a row (from 0) waits this long. */
  private retryDelay(failures: number): number {
    const delays = this.opts.retryDelaysMs;
    return delays[Math.min(failures, delays.length - 1)] ?? 10_000;
  }

  private stopLogRetry(): void {
    if (this.logRetry) clearTimeout(this.logRetry);
    this.logRetry = undefined;
  }

  private stopStats(): void {
    if (this.statsRetry) clearTimeout(this.statsRetry);
    this.statsRetry = undefined;
    this.retryFor = undefined;
    this.statsFeed?.cancel();
    this.statsFeed = undefined;
  }

  /** False for a sample not worth keeping or showing. */
  private keepSample(sample: StatsSample): boolean {
    const t = Date.parse(sample.time);
    if (!(t > 0)) return false; // Docker reports year 1 for a container that just stopped
    this.samples.push(sample);
    const from = t - this.opts.statsWindowMs;
    const first = this.samples.findIndex((s) => Date.parse(s.time) >= from);
    if (first > 0) this.samples.splice(0, first);
    return true;
  }
}
