/**
 * setTimeout for delays of any length. Node (and browsers) take at most 2^31-1 ms (about 24.8
 * days); a longer delay fires after 1 ms instead (with a TimeoutOverflowWarning), which turns a
 * "check again at the deadline" timer into a hot loop. This one waits in steps of at most
 * MAX_STEP_MS and re-arms until the whole delay has passed.
 *
 * Plain timers only (no node: imports): usable from the runner, the extension and the webview.
 */

/** The longest single timer armed: well under 2^31-1 ms. */
export const MAX_STEP_MS = 2 ** 30;

export interface LongTimeout {
  /** Cancels it; harmless after it fired or was cleared. */
  clear(): void;
  /** Whether it still waits (neither fired nor cleared). */
  readonly pending: boolean;
}

export interface LongTimeoutOptions {
  /** Does not keep a Node process alive (as `timer.unref()`). Default false. */
  unref?: boolean;
}

/**
 * Calls `fn` once after `delayMs` (NaN, negative or missing: as soon as possible), however long.
 * Measured the way setTimeout measures, step by step: callers that care about wall-clock time
 * (a machine that slept) re-check their deadline when it fires.
 */
export function setLongTimeout(fn: () => void, delayMs: number, opts: LongTimeoutOptions = {}): LongTimeout {
  let remaining = Number.isFinite(delayMs) ? Math.max(0, delayMs) : delayMs > 0 ? Infinity : 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending = true;
  const arm = () => {
    const step = Math.min(remaining, MAX_STEP_MS);
    remaining -= step;
    timer = setTimeout(() => {
      timer = undefined;
      if (!pending) return;
      if (remaining > 0) return arm();
      pending = false;
      fn();
    }, step);
    if (opts.unref) (timer as { unref?: () => void }).unref?.();
  };
  arm();
  return {
    clear() {
      pending = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
    get pending() {
      return pending;
    },
  };
}

/** Clears `t` if there is one (handy for optional fields). */
export function clearLongTimeout(t: LongTimeout | undefined): void {
  t?.clear();
}
