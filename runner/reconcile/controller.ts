import { WorkQueue, type BackoffOptions } from './workQueue';

/** A failure retrying cannot fix (bad input): reported, not retried until something changes. */
export class TerminalError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TerminalError';
  }
}

export interface ReconcileResult {
  /** Look again after this long even if nothing changes (polling). */
  requeueAfterMs?: number;
}

export interface Reconciler {
  reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | void>;
  /** Told about an error after the queue decided what to do with it. */
  onError?(key: string, error: unknown, retryInMs: number | undefined): void;
}

/** How an attempt on a key ended, for whoever shows retries (only changes are told: see onAttempt). */
export type AttemptReport =
  | { ok: true }
  | {
      ok: false;
      /** Failed attempts in a row, this one included. */
      attempts: number;
      error: unknown;
      /** When the queue tries again; undefined when it does not by itself (a terminal error). */
      retryInMs: number | undefined;
    };

export interface ControllerOptions {
  name: string;
  workers?: number;
  backoff?: BackoffOptions;
  /** Every key from `keys()` is queued this often, to catch anything missed. */
  resyncMs?: number;
  keys?: () => string[];
  log?: (msg: string) => void;
  /**
   * After every failed attempt, and after the first attempt that succeeds after failures (not after
   * every success: a resync of a healthy key reports nothing).
   */
  onAttempt?(key: string, report: AttemptReport): void;
}

/**
 * Runs a reconciler over a work queue with N workers, level-triggered:
 * callers only say "look at key X"; the reconciler reads the world itself.
 */
export class Controller {
  readonly queue: WorkQueue<string>;
  private readonly inflight = new Map<string, AbortController>();
  /** Failed attempts in a row per key (the queue's own count is reset by a terminal error). */
  private readonly failures = new Map<string, number>();
  private resyncTimer?: NodeJS.Timeout;
  private workers: Promise<void>[] = [];
  private stopped = false;

  constructor(
    private readonly reconciler: Reconciler,
    private readonly opts: ControllerOptions,
  ) {
    this.queue = new WorkQueue(opts.backoff);
  }

  start(): void {
    for (let i = 0; i < (this.opts.workers ?? 2); i++) this.workers.push(this.work());
    if (this.opts.resyncMs && this.opts.keys) {
      this.resyncTimer = setInterval(() => this.resync(), this.opts.resyncMs);
      this.resyncTimer.unref?.();
    }
    this.resync();
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  resync(): void {
    for (const k of this.opts.keys?.() ?? []) this.queue.add(k);
  }

  /** Cancels the reconcile running for `key` (its desired state changed under it). */
  abortInflight(key: string, reason: string): void {
    this.inflight.get(key)?.abort(new Error(reason));
  }

  onIdle(): Promise<void> {
    return this.queue.onIdle();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    for (const a of this.inflight.values()) a.abort(new Error('runner stopping'));
    this.queue.shutDown();
    await Promise.all(this.workers);
  }

  private report(key: string, r: AttemptReport): void {
    try {
      this.opts.onAttempt?.(key, r);
    } catch {
      /* reporting must not kill a worker */
    }
  }

  /** Forgets a key that is gone (its failures would otherwise be kept for ever). */
  forget(key: string): void {
    this.failures.delete(key);
    this.queue.forget(key);
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined || this.stopped) return;
      const abort = new AbortController();
      this.inflight.set(key, abort);
      try {
        const result = await this.reconciler.reconcile(key, abort.signal);
        this.queue.forget(key);
        if (result?.requeueAfterMs !== undefined) this.queue.addAfter(key, result.requeueAfterMs);
        if (this.failures.delete(key)) this.report(key, { ok: true });
      } catch (e) {
        let retry: number | undefined;
        if (e instanceof TerminalError || this.stopped) this.queue.forget(key);
        else retry = this.queue.addRateLimited(key);
        const attempts = (this.failures.get(key) ?? 0) + 1;
        this.failures.set(key, attempts);
        try {
          this.reconciler.onError?.(key, e, retry);
        } catch {
          /* reporting must not kill a worker */
        }
        if (!this.stopped) this.report(key, { ok: false, attempts, error: e, retryInMs: retry });
        this.opts.log?.(
          `${this.opts.name}: ${key}: ${(e as Error)?.message ?? e}${retry !== undefined ? ` (retry in ${retry} ms)` : ''}`,
        );
      } finally {
        this.inflight.delete(key);
        this.queue.done(key);
      }
    }
  }
}
