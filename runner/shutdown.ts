import { STOP_DEADLINE_MS } from './state/limits';

export interface Stoppable {
  stop(): Promise<void>;
  /** Resolves when stopping begins, whoever asked (a signal, the API's shutdown call). */
  readonly stopRequested: Promise<void>;
  readonly stopped: Promise<void>;
}

export interface ShutdownOptions {
  signals: { on(signal: NodeJS.Signals, listener: () => void): unknown };
  exit(code: number): void;
  log(message: string): void;
  deadlineMs?: number;
}

/**
 * How the runner process ends. SIGTERM, SIGINT and SIGHUP stop the runner; another one while it
 * stops exits at once. Once stopping began, the process exits when the runner has stopped, or
 * after the deadline anyway (what was still running is logged as unfinished): a stuck step never
 * leaves a runner that holds its lock and answers nobody.
 */
export function superviseShutdown(runner: Stoppable, opts: ShutdownOptions): void {
  const deadlineMs = opts.deadlineMs ?? STOP_DEADLINE_MS;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      opts.log(`devrig runner: ${signal} again while stopping: exiting now`);
      opts.exit(1);
      return;
    }
    stopping = true;
    void runner.stop();
  };
  for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) opts.signals.on(s, () => onSignal(s));
  void runner.stopRequested.then(() => {
    stopping = true;
    const timer = setTimeout(() => {
      opts.log(`devrig runner: did not stop within ${deadlineMs / 1000}s: exiting anyway`);
      opts.exit(1);
    }, deadlineMs);
    void runner.stopped.then(() => {
      clearTimeout(timer);
      opts.exit(0);
    });
  });
}
