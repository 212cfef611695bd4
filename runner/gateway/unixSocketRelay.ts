import { Duplex } from 'node:stream';
import type { SessionTarget } from '../reconcile/environment/environmentReconciler';

/**
 * `direct-streamlocal@openssh.com` (ssh -L PORT:/path/to.sock): a relay exec'd as the remote user
 * connects to the unix socket inside the environment and copies bytes over its stdin/stdout, like
 * the provider's TCP relay. It writes "K" once connected, so a missing socket fails the channel open.
 * Uses python3, else socat.
 */
const PYTHON_UNIX_RELAY = String.raw`
import os, socket, sys, threading
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(sys.argv[1])
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

export function unixRelayCommand(path: string): string[] {
  const script = [
    'if command -v python3 >/dev/null 2>&1; then exec python3 -c "$DEVRIG_UNIX_RELAY" "$1"; fi',
    'if command -v socat >/dev/null 2>&1; then [ -S "$1" ] || { echo "no socket at $1" >&2; exit 1; }; printf K; exec socat - "UNIX-CONNECT:$1"; fi',
    'echo "no python3 or socat in the environment to relay a unix socket" >&2; exit 127',
  ].join('\n');
  return ['/bin/sh', '-c', script, 'devrig-unix-relay', path];
}

export async function connectUnixSocket(target: SessionTarget, path: string): Promise<Duplex> {
  const p = await target.provider.exec(target.containerId, {
    cmd: unixRelayCommand(path),
    env: { DEVRIG_UNIX_RELAY: PYTHON_UNIX_RELAY },
    user: target.user,
    tty: false,
    stdin: true,
  });
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
    throw new Error(`cannot connect to ${path}: ${errText.trim() || 'the relay exited'}`);
  }
  if (first.length > 1) p.stdout.unshift(first.subarray(1));
  return Duplex.from({ readable: p.stdout, writable: p.stdin });
}
