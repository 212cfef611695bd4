/**
 * One call of `fn` for many callers at once, never a stale answer: a caller gets the result of a run
 * that started after it asked (so it sees the world as of its call or later), shared with every
 * caller that asked while the run before it was going. For reads many reconciles make at once (the
 * engine's container list, a ping): one request to the engine instead of one each.
 */
export function coalesced<T>(fn: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | undefined;
  let next: Promise<T> | undefined;
  const start = (): Promise<T> => {
    const run = fn();
    running = run;
    const clear = () => {
      if (running === run) running = undefined;
    };
    run.then(clear, clear);
    return run;
  };
  return () => {
    if (!running) return start();
    next ??= running
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        next = undefined;
        return start();
      });
    return next;
  };
}

/** coalesced() per key (an image reference, a label). Keys are forgotten once idle. */
export function coalescedBy<T>(fn: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const byKey = new Map<string, { call: () => Promise<T>; pending: number }>();
  return async (key) => {
    let entry = byKey.get(key);
    if (!entry) {
      entry = { call: coalesced(() => fn(key)), pending: 0 };
      byKey.set(key, entry);
    }
    entry.pending++;
    try {
      return await entry.call();
    } finally {
      if (--entry.pending === 0 && byKey.get(key) === entry) byKey.delete(key);
    }
  };
}
