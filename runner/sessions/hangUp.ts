import type { ExecProcess } from '../providers/provider';

/**
 * The client of a session went away. A terminal's programs get SIGHUP, as when sshd closes a PTY;
 * without a PTY sshd sends no signal either (stdin just ends), so servers started from such
 * sessions — VS Code's among them — outlive a dropped connection. Output still arriving is drained.
 */
export function hangUp(p: ExecProcess, tty: boolean): void {
  if (tty) void p.signal('HUP').catch(() => {});
  p.stdin.destroy();
  for (const out of [p.stdout, p.stderr]) {
    out.unpipe();
    out.resume();
  }
}

/** Runs `fn` when `signal` aborts — at once if it already has (a listener added late never fires). */
export function onAbort(signal: AbortSignal, fn: () => void): void {
  if (signal.aborted) fn();
  else signal.addEventListener('abort', fn, { once: true });
}
