import { PROCESS_MARKER } from '../providers/ssh/plainHost';

/**
 * Listening TCP ports from /proc/net/tcp and /proc/net/tcp6 (present in every Linux container,
 * unlike ss or netstat). Only listeners the runner can reach through 127.0.0.1 inside the
 * environment count: on a wildcard address (0.0.0.0, ::) or on 127.0.0.1.
 *
 * A plain host (no container: see providers/ssh/plainProvider) shares the machine's network, so
 * there the script also lists the socket inodes of the environment's own processes (those that
 * carry its marker variable), and only their ports count — not sshd's or a system database's.
 */
export const LISTENING_PORTS_COMMAND = [
  '/bin/sh',
  '-c',
  [
    'cat /proc/net/tcp /proc/net/tcp6 2>/dev/null',
    `m=$${PROCESS_MARKER}`,
    '[ -n "$m" ] || exit 0',
    'printf "devrig-scope:"',
    'for p in /proc/[0-9]*; do',
    `  { tr '\\000' '\\n' < "$p/environ"; } 2>/dev/null | grep -qx "${PROCESS_MARKER}=$m" || continue`,
    '  for f in "$p"/fd/*; do',
    '    l=$(readlink "$f" 2>/dev/null) || continue',
    '    case "$l" in socket:*) i=${l#socket:[}; printf " %s" "${i%]}";; esac',
    '  done',
    'done',
    'echo',
  ].join('\n'),
];

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
