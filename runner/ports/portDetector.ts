import { PROCESS_MARKER } from '../providers/ssh/plainHost';

/**
 * Listening TCP ports from /proc/net/tcp and /proc/net/tcp6 (present in every Linux container,
 * unlike ss or netstat). Only listeners the runner can reach through 127.0.0.1 inside the
 * environment count: on a wildcard address (0.0.0.0, ::) or on 127.0.0.1.
 *
 * For a local engine the runner reads a container's tables itself (/proc/<pid>/net/tcp*, see
 * listenerWatch.ts): nothing runs in the container. For an engine elsewhere, one long-lived
 * watcher process per environment looks when the runner says so (a newline on its stdin) and
 * prints what it saw only when it changed.
 *
 * In a container it looks with shell builtins only: no process is started per look. A plain host
 * (no container: see providers/ssh/plainProvider) shares the machine's network, so there the
 * script also lists the socket inodes of the environment's own processes (those that carry its
 * marker variable), and only their ports count — not sshd's or a system database's.
 */
/** One look in a container: `cur` holds the listeners (slot, local and remote address, state). */
const CONTAINER_SNAPSHOT = [
  'cur=',
  'for f in /proc/net/tcp /proc/net/tcp6; do',
  '  [ -r "$f" ] || continue',
  '  while read -r sl local rem st rest; do',
  '    if [ "$st" = 0A ]; then cur="$cur$sl $local $rem $st',
  '"; fi',
  '  done < "$f"',
  'done',
].join('\n');

/** One look on a plain host: the listeners and the environment's own socket inodes (this forks). */
const PLAIN_SNAPSHOT = [
  // Only listeners, with the counters that change on every packet blanked, so a snapshot changes
  // only when the set of listeners does. Without awk, the raw tables (still parseable).
  'if command -v awk >/dev/null 2>&1; then',
  `  awk '$4 == "0A" { print $1, $2, $3, $4, 0, 0, 0, $8, 0, $10 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null`,
  'else cat /proc/net/tcp /proc/net/tcp6 2>/dev/null; fi',
  `m=$${PROCESS_MARKER}`,
  'printf "devrig-scope:"',
  'for p in /proc/[0-9]*; do',
  `  { tr '\\000' '\\n' < "$p/environ"; } 2>/dev/null | grep -qx "${PROCESS_MARKER}=$m" || continue`,
  '  for f in "$p"/fd/*; do',
  '    l=$(readlink "$f" 2>/dev/null) || continue',
  '    case "$l" in socket:*) i=${l#socket:[}; printf " %s" "${i%]}";; esac',
  '  done',
  'done',
  'echo',
].join('\n');

/** The environment variable (value "1") that marks a ports watcher. */
export const WATCHER_MARKER = 'DEVRIG_PORTS_WATCHER';
/**
 * The environment variable that names whose watcher it is (the container id, or a plain
 * environment's id): a new watcher retires only old ones with the same id, since environments on
 * a plain host (or containers sharing the host's pid namespace) see each other's processes.
 */
export const WATCHER_ID = 'DEVRIG_PORTS_WATCHER_ID';

/** The environment a watcher for `id` runs with. */
export function watcherEnv(id: string): Record<string, string> {
  return { [WATCHER_MARKER]: '1', [WATCHER_ID]: id };
}

/** Ends each snapshot the watcher prints. */
export const SNAPSHOT_END = 'devrig-ports-end';

/**
 * One long-lived process per environment that looks each time a line arrives on its stdin and then
 * prints a snapshot (ended by SNAPSHOT_END): at the first look, then only when it changed. The runner
 * decides when to look (often while the environment is active, rarely while idle: see
 * lookSchedule.ts); its stdin closing (the runner gone) ends it. A watcher left by an older runner
 * (one that looked on its own every second) is retired by the next one for the same environment
 * (same WATCHER_ID); others' are left alone. Run it with watcherEnv(id).
 */
export function portsWatchCommand(): string[] {
  return [
    '/bin/sh',
    '-c',
    [
      `w="${WATCHER_ID}=$${WATCHER_ID}"; p="${PROCESS_MARKER}=$${PROCESS_MARKER}"`,
      `has() { printf '%s\\n' "$e" | grep -qxF -e "$1"; }`,
      `for d in /proc/[0-9]*; do [ "\${d#/proc/}" = "$$" ] && continue`,
      `  e=$({ tr '\\000' '\\n' < "$d/environ"; } 2>/dev/null) || continue`,
      `  case "$e" in *"${WATCHER_MARKER}=1"*) has "${WATCHER_MARKER}=1" || continue;; *) continue;; esac`,
      `  case "$e" in *"${WATCHER_ID}="*) has "$w" || continue;;`,
      // An older runner's watcher has no id: it is this environment's when it has this plain
      // environment's id, or (in a container) when neither has one.
      `    *) if [ -n "$${PROCESS_MARKER}" ]; then has "$p" || continue;`,
      `       else case "$e" in *"${PROCESS_MARKER}="*) continue;; esac; fi;;`,
      '  esac',
      `  kill "\${d#/proc/}" 2>/dev/null`,
      'done',
      `plain() {\n${PLAIN_SNAPSHOT}\n}`,
      `if [ -n "$${PROCESS_MARKER}" ]; then snapshot() { cur=$(plain); }`,
      `else snapshot() {\n${CONTAINER_SNAPSHOT}\n}; fi`,
      // Not a snapshot (one is never a lone dash): the first is printed even when nothing listens,
      // which is an answer too (forwardPorts are then shown as not listening yet). A plain host
      // shares the machine: its scope scan walks every process, so it looks at every fifth call only.
      'prev=-; n=0',
      'while read -r _; do',
      `  if [ -n "$${PROCESS_MARKER}" ]; then n=$((n + 1)); [ $((n % 5)) = 1 ] || continue; fi`,
      '  snapshot',
      `  if [ "$cur" != "$prev" ]; then printf '%s\\n${SNAPSHOT_END}\\n' "$cur" || exit 0; prev=$cur; fi`,
      'done',
    ].join('\n'),
  ];
}

const LISTEN = '0A';
const SCOPE = 'devrig-scope:';

export function parseListeningPorts(output: string): number[] {
  const lines = output.split('\n');
  const scopeLine = lines.find((l) => l.startsWith(SCOPE));
  const scope = scopeLine ? new Set(scopeLine.slice(SCOPE.length).trim().split(/\s+/)) : undefined;
  const ports = new Set<number>();
  for (const line of lines) {
    const fields = line.trim().split(/\s+/);
    // sl local_address rem_address st tx_queue rx_queue tr tm->when retrnsmt uid timeout inode
    if (fields.length < 4 || !/^\d+:$/.test(fields[0]!) || fields[3] !== LISTEN) continue;
    const [addrHex, portHex] = fields[1]!.split(':');
    if (!addrHex || !portHex) continue;
    const port = parseInt(portHex, 16);
    if (!(port > 0 && port < 65536) || !reachable(addrHex)) continue;
    if (scope && !scope.has(fields[9] ?? '')) continue;
    ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}

/** Wildcard or 127.0.0.1, in /proc's byte order (IPv4: one little-endian word; IPv6: four). */
function reachable(addrHex: string): boolean {
  if (/^0+$/.test(addrHex)) return true;
  if (addrHex.length === 8) return addrHex.toUpperCase() === '0100007F';
  // ::ffff:127.0.0.1
  return addrHex.toUpperCase() === '0000000000000000FFFF00000100007F';
}
