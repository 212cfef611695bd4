/** Where an environment's lifecycle commands after waitFor stand, for one container start. */
export type BackgroundState =
  { state: 'running'; hook: string } | { state: 'done' } | { state: 'failed'; hook: string; message: string };

type Job = { key: string; state: BackgroundState; abort: AbortController };

/**
 * The lifecycle commands that run after Ready (those after waitFor): one job per environment and
 * container start, run outside any reconcile. A reconcile reads the job's state into its condition;
 * the job asks for one (`settled`) when its state changes, so the condition follows (level-triggered).
 */
export class BackgroundHooks {
  private readonly jobs = new Map<string, Job>();

  constructor(private readonly settled: (name: string) => void = () => {}) {}

  /**
   * The state of `name`'s job for `key` (its container and start), starting it with `run` when there
   * is none. `run` reports each hook it starts; what it throws fails the job with that message; it
   * returns false when there was nothing left to report (the container went away under it).
   */
  ensure(
    name: string,
    key: string,
    run: (starting: (hook: string) => void, signal: AbortSignal) => Promise<boolean>,
  ): BackgroundState {
    const known = this.jobs.get(name);
    if (known?.key === key) return known.state;
    known?.abort.abort(new Error('the container was replaced or restarted'));
    const job: Job = { key, state: { state: 'running', hook: '' }, abort: new AbortController() };
    this.jobs.set(name, job);
    const current = () => this.jobs.get(name) === job;
    let inCall = true;
    const started = run((hook) => {
      job.state = { state: 'running', hook };
      // The reconcile that starts the job reads its first state itself.
      if (current() && !inCall) this.settled(name);
    }, job.abort.signal);
    inCall = false;
    void started.then(
      (reported) => {
        if (!current()) return;
        if (reported) job.state = { state: 'done' };
        else this.jobs.delete(name);
        this.settled(name);
      },
      (e: unknown) => {
        if (!current()) return;
        job.state = {
          state: 'failed',
          hook: (e as { hook?: string }).hook ?? '',
          message: (e as Error).message,
        };
        this.settled(name);
      },
    );
    return job.state;
  }

  /** The job of an environment stopped, recreated or deleted: its outcome no longer matters. */
  forget(name: string): void {
    this.jobs.get(name)?.abort.abort(new Error('the environment is stopping or being deleted'));
    this.jobs.delete(name);
  }
}
