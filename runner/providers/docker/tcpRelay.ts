/**
 * Port forwarding into a container's own network namespace, for a local engine and
 * one behind SSH alike: `docker exec` a tiny relay that connects to 127.0.0.1:PORT
 * inside the container and copies bytes both ways. It writes one byte once
 * connected, so a refused port fails the forward instead of opening a dead channel.
 * The relay uses what the image has: python3, else socat, else bash's /dev/tcp.
 */
const PYTHON_RELAY = `
import os, socket, sys, threading
try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
except OSError as e:
    sys.stderr.write("connect failed: %s\\n" % e.strerror); sys.exit(1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
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
t = threading.Thread(target=up, daemon=True); t.start()
try:
    while True:
        d = s.recv(262144)
        if not d: break
        out.write(d)
except OSError: pass
`.trim();

export function relayCommand(port: number): string[] {
  const script = [
    'if command -v python3 >/dev/null 2>&1; then exec python3 -c "$DEVRIG_RELAY" "$1"; fi',
    'if command -v socat >/dev/null 2>&1; then printf K; exec socat - "TCP:127.0.0.1:$1"; fi',
    'if command -v bash >/dev/null 2>&1; then exec bash -c \'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1; printf K; cat <&3 & cat >&3; wait\' relay "$1"; fi',
    'echo "no python3, socat or bash in the container to relay the port" >&2; exit 127',
  ].join('\n');
  return ['/bin/sh', '-c', script, 'devrig-relay', String(port)];
}

export const RELAY_ENV = { DEVRIG_RELAY: PYTHON_RELAY };
