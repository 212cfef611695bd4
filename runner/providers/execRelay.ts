import { Duplex } from 'node:stream';
import type { ExecProcess } from './provider';

/**
 * Connections into an environment's own network namespace, for a local engine and one behind
 * SSH alike: exec a tiny relay inside that connects to 127.0.0.1:PORT (or a unix socket) and
 * copies bytes over its stdin/stdout. It writes one byte once connected, so a refused port fails
 * the forward instead of opening a dead channel. It uses what the image has: python3, else socat,
 * else (TCP only) bash's /dev/tcp.
 */
export type RelayTarget = { port: number; host?: string } | { socketPath: string };

/** A host name or address a relay may connect to: no spaces, quotes or shell words. */
const HOST = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const PYTHON_RELAY = String.raw`
import os, socket, sys, threading
target = sys.argv[1]
try:
    if target.startswith("/"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(target)
    else:
        host, _, port = target.rpartition(":")
        s = socket.create_connection((host or "127.0.0.1", int(port)))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
except OSError as e:
    sys.stderr.write("connect failed: %s\n" % e.strerror); sys.exit(1)
out = os.fdopen(1, "wb", buffering=0)
out.write(b"K")
def up():
    try:
        while True:
            d = os.read(0, 262144)
            if not d: break
            s.sendall(d)
    except OSError: pass
    try: s.shutdown(socket.SHUT_WR)
    except OSError: pass
threading.Thread(target=up, daemon=True).start()
try:
    while True:
        d = s.recv(262144)
        if not d: break
        out.write(d)
except OSError: pass
`.trim();

export const RELAY_ENV = { DEVRIG_RELAY: PYTHON_RELAY };

export function relayCommand(target: RelayTarget): string[] {
  const unix = 'socketPath' in target;
  const host = unix ? '127.0.0.1' : (target.host ?? '127.0.0.1');
  if (!HOST.test(host)) throw new Error(`not a host name: ${JSON.stringify(host)}`);
  const lines = [
    'if command -v python3 >/dev/null 2>&1; then exec python3 -c "$DEVRIG_RELAY" "$1"; fi',
    unix
      ? 'if command -v socat >/dev/null 2>&1; then [ -S "$1" ] || { echo "no socket at $1" >&2; exit 1; }; printf K; exec socat - "UNIX-CONNECT:$1"; fi'
      : 'if command -v socat >/dev/null 2>&1; then printf K; exec socat - "TCP:$1"; fi',
    ...(unix
      ? []
      : [
          'if command -v bash >/dev/null 2>&1; then exec bash -c \'exec 3<>"/dev/tcp/${1%:*}/${1##*:}" || exit 1; printf K; cat <&3 & cat >&3; wait\' relay "$1"; fi',
        ]),
    `echo "no ${unix ? 'python3 or socat' : 'python3, socat or bash'} in the environment to relay the connection" >&2; exit 127`,
  ];
  return [
    '/bin/sh',
    '-c',
    lines.join('\n'),
    'devrig-relay',
    unix ? target.socketPath : `${host}:${target.port}`,
  ];
}

/** Waits for the relay's "connected" byte (or its failure) and returns the byte stream. */
export async function relayStream(p: ExecProcess, what: string): Promise<Duplex> {
  let errText = '';
  p.stderr.on('data', (d: Buffer) => (errText += d.toString()));
  p.stdin.on('error', () => {});
  const first = await new Promise<Buffer | undefined>((resolve) => {
    const onData = (d: Buffer) => {
      p.stdout.off('end', onEnd);
      p.stdout.off('data', onData);
      p.stdout.pause();
      resolve(d);
    };
    const onEnd = () => resolve(undefined);
    p.stdout.on('data', onData);
    p.stdout.once('end', onEnd);
  });
  if (!first || first[0] !== 0x4b) {
    p.stdin.destroy();
    await p.wait().catch(() => {});
    throw new Error(`cannot connect to ${what}: ${errText.trim() || 'connection refused'}`);
  }
  if (first.length > 1) p.stdout.unshift(first.subarray(1));
  return Duplex.from({ readable: p.stdout, writable: p.stdin });
}
