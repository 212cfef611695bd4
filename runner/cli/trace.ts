import { performance } from 'node:perf_hooks';

const on = !!process.env.DEVRIG_TRACE;

/** `DEVRIG_TRACE=1 devrig ...` prints where a command spends its time (ms since process start). */
export function trace(what: string): void {
  if (on) process.stderr.write(`[trace ${performance.now().toFixed(1)}ms] ${what}\n`);
}
