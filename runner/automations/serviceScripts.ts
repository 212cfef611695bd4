/**
 * The small POSIX sh scripts that run services inside the environment. A service's output goes to
 * a file there and its pid to a pid file, so it outlives the runner: a restarted runner finds it
 * (adopts it) instead of starting a second one. Every process of one run carries
 * DEVRIG_SERVICE=<token> in its environment, which is how its whole process tree is found and
 * stopped, and how a pid file left from an older run is told from a live one.
 */

/** Root-owned base for the per-user services folders (prepared by root in containers). */
export const SERVICES_DIR = '/var/lib/devrig/services';

/** The environment variable that marks every process of one service run. */
export const SERVICE_MARKER = 'DEVRIG_SERVICE';

/** Printed by the follower on stderr when the service ended: `DEVRIG-EXIT <code|?> <token>`. */
export const EXIT_LINE = /^DEVRIG-EXIT (\d+|\?) (\S+)$/;

const sh = (script: string, name: string, ...args: string[]) => ['/bin/sh', '-c', script, name, ...args];

/**
 * Scripts that use the services folder get the environment's scope (its container id) first:
 * `$d` is SERVICES_DIR/<scope> when the user may write there (containers), else a folder in their
 * home (a plain host, where environments share the machine and the user is no root).
 */
function inServicesDir(scope: string, body: string[], name: string, ...args: string[]): string[] {
  const prelude = [
    `b=${SERVICES_DIR}; [ -w "$b" ] || b="\${HOME:-/tmp}/.cache/devrig/services"`,
    'd="$b/$1"; mkdir -p "$d" 2>/dev/null; shift',
  ];
  return sh([...prelude, ...body].join('\n'), name, scope, ...args);
}

/** As root: the services base folder, owned by the user who runs services (fails harmlessly elsewhere). */
export function prepareServicesDir(user: string): string[] {
  return sh('mkdir -p "$1" && chown "$2" "$1" && chmod 700 "$1"', 'devrig-services-dir', SERVICES_DIR, user);
}

/**
 * Runs the start command with its output in `<id>.log`; `<id>.pid` holds "PID TOKEN" and
 * `<id>.exit` "CODE TOKEN" once it ends. The marker must be in the exec's environment.
 */
export function launchService(scope: string, id: string, token: string, command: string): string[] {
  return inServicesDir(
    scope,
    [
      'id=$1; tok=$2',
      ': > "$d/$id.log"',
      'rm -f "$d/$id.exit"',
      'echo "$$ $tok" > "$d/$id.pid.tmp" && mv -f "$d/$id.pid.tmp" "$d/$id.pid"',
      '/bin/sh -c "$3" >> "$d/$id.log" 2>&1 < /dev/null',
      'c=$?',
      'echo "$c $tok" > "$d/$id.exit"',
      'exit $c',
    ],
    'devrig-service',
    id,
    token,
    command,
  );
}

/**
 * Streams a run's log on stdout until its process is gone, then prints the EXIT_LINE on stderr.
 * `from` is tail's -n argument: '+1' for a fresh run (everything), '0' for an adopted one.
 */
export function followService(scope: string, id: string, token: string, from: '+1' | '0'): string[] {
  return inServicesDir(
    scope,
    [
      'id=$1; tok=$2; from=$3; i=0',
      'while :; do',
      '  { read pid t < "$d/$id.pid"; } 2>/dev/null && [ "$t" = "$tok" ] && break',
      '  i=$((i+1)); [ $i -ge 150 ] && { echo "DEVRIG-EXIT ? $tok" >&2; exit 0; }',
      '  sleep 0.1',
      'done',
      // GNU tail ends by itself once the process is gone (after a last read); others get a loop.
      'if tail --version 2>/dev/null | grep -q GNU; then',
      '  tail -n "$from" -F -s 0.25 --pid="$pid" "$d/$id.log" 2>/dev/null',
      'else',
      '  tail -n "$from" -F "$d/$id.log" 2>/dev/null & t=$!',
      '  while kill -0 "$pid" 2>/dev/null; do sleep 0.5; done',
      '  sleep 0.5; kill "$t" 2>/dev/null; wait "$t" 2>/dev/null',
      'fi',
      'c="?"; { read c2 t2 < "$d/$id.exit"; } 2>/dev/null && [ "$t2" = "$tok" ] && c=$c2',
      'echo "DEVRIG-EXIT $c $tok" >&2',
    ],
    'devrig-follow',
    id,
    token,
    from,
  );
}

/** Prints "ID TOKEN" for each of `ids` whose recorded run is still alive. */
export function findLiveServices(scope: string, ids: string[]): string[] {
  return inServicesDir(
    scope,
    [
      'for id in "$@"; do',
      '  { read pid tok < "$d/$id.pid"; } 2>/dev/null || continue',
      '  kill -0 "$pid" 2>/dev/null || continue',
      `  { tr '\\000' '\\n' < "/proc/$pid/environ"; } 2>/dev/null | grep -qx "${SERVICE_MARKER}=$tok" || continue`,
      '  echo "$id $tok"',
      'done',
    ],
    'devrig-find-services',
    ...ids,
  );
}

/**
 * Ends every process of a run: SIGTERM, then SIGKILL for what is left after `graceSeconds`.
 * Runs as the service's user (only they can read their processes' environments).
 */
export function stopProcessTree(token: string, graceSeconds: number): string[] {
  return sh(
    [
      'tok=$1; n=$(($2 * 5))',
      'pids() { for p in /proc/[0-9]*; do',
      `  { tr '\\000' '\\n' < "$p/environ"; } 2>/dev/null | grep -qx "${SERVICE_MARKER}=$tok" && echo "\${p#/proc/}"`,
      'done; }',
      'l=$(pids); [ -z "$l" ] && exit 0',
      'kill -TERM $l 2>/dev/null',
      'while [ $n -gt 0 ]; do l=$(pids); [ -z "$l" ] && exit 0; sleep 0.2; n=$((n-1)); done',
      'l=$(pids); [ -n "$l" ] && kill -KILL $l 2>/dev/null',
      'exit 0',
    ].join('\n'),
    'devrig-stop-service',
    token,
    String(Math.max(0, Math.floor(graceSeconds))),
  );
}

/** A one-shot command (task, ready probe, stop command) the way lifecycle commands run. */
export function shellCommand(command: string): string[] {
  return ['/bin/sh', '-c', command];
}
