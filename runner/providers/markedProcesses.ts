/**
 * Finding the processes devrig started, inside a container or on a plain host, by a marker
 * variable (`NAME=VALUE`) in their environment: every process they start inherits it. POSIX sh,
 * reading /proc/PID/environ, so it sees only the processes the user it runs as may inspect.
 */

/** The variable each exec's processes carry, with a value of their own, so its signals reach them. */
export const EXEC_MARKER = 'DEVRIG_EXEC_ID';

/** Defines `marked NAME=VALUE`, which prints the pids carrying that variable (space-separated). */
export const MARKED_PIDS_FUNCTION = [
  'marked() { for d in /proc/[0-9]*; do',
  `  if tr '\\000' '\\n' < "$d/environ" 2>/dev/null | grep -qx "$1"; then printf '%s ' "\${d#/proc/}"; fi`,
  'done; }',
].join('\n');

/** `sh -c SIGNAL_MARKED_SCRIPT sh SIGNAL NAME=VALUE`: signals every process carrying the marker. */
export const SIGNAL_MARKED_SCRIPT = [
  MARKED_PIDS_FUNCTION,
  'pids=$(marked "$2")',
  '[ -n "$pids" ] && kill -s "$1" $pids 2>/dev/null',
  'exit 0',
].join('\n');

/** SIGNAL_MARKED_SCRIPT's arguments for `signal` (SIGTERM or TERM) and the exec's marker; checked. */
export function signalMarkedArgs(signal: string, marker: string): [string, string] {
  const sig = signal.replace(/^SIG/, '');
  if (!/^[A-Z0-9]+$/.test(sig)) throw new Error(`bad signal ${signal}`);
  return [sig, `${EXEC_MARKER}=${marker}`];
}
