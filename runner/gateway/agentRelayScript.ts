/**
 * The agent relay that runs inside the environment for an `ssh -A` session, as the remote user: it
 * listens on a fresh private socket (`/tmp/devrig-agent-XXXX/agent.sock`, folder 0700) and carries
 * every connection to it over its stdin/stdout (see agentFrames.ts) to the gateway, which opens an
 * `auth-agent@openssh.com` channel back to the user's ssh client for each. It exits, removing the
 * socket, when the gateway closes its stdin at the end of the session. Needs python3 in the image.
 */
const PYTHON_AGENT_RELAY = String.raw`
import os, selectors, shutil, signal, socket, struct, sys, tempfile
for sig in (signal.SIGHUP, signal.SIGTERM):
    signal.signal(sig, lambda *_: sys.exit(0))
d = tempfile.mkdtemp(prefix="devrig-agent-")
path = os.path.join(d, "agent.sock")
ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ls.bind(path)
os.chmod(path, 0o600)
ls.listen(16)
out = os.fdopen(1, "wb", buffering=0)
def send(t, i, data=b""):
    out.write(struct.pack(">cII", t, i, len(data)) + data)
sel = selectors.DefaultSelector()
sel.register(ls, selectors.EVENT_READ, "listen")
sel.register(0, selectors.EVENT_READ, "stdin")
conns = {}
def close(i, tell):
    s = conns.pop(i, None)
    if s is None:
        return
    sel.unregister(s)
    s.close()
    if tell:
        send(b"C", i)
try:
    send(b"P", 0, path.encode())
    nxt = 1
    buf = b""
    while True:
        for key, _ in sel.select():
            if key.data == "listen":
                s, _ = ls.accept()
                conns[nxt] = s
                sel.register(s, selectors.EVENT_READ, nxt)
                send(b"O", nxt)
                nxt += 1
            elif key.data == "stdin":
                chunk = os.read(0, 65536)
                if not chunk:
                    raise SystemExit(0)
                buf += chunk
                while len(buf) >= 9:
                    t, i, n = struct.unpack(">cII", buf[:9])
                    if len(buf) < 9 + n:
                        break
                    payload, buf = buf[9:9 + n], buf[9 + n:]
                    if i not in conns:
                        continue
                    if t == b"D":
                        try:
                            conns[i].sendall(payload)
                        except OSError:
                            close(i, True)
                    elif t == b"C":
                        close(i, False)
            else:
                try:
                    chunk = key.fileobj.recv(65536)
                except OSError:
                    chunk = b""
                if chunk:
                    send(b"D", key.data, chunk)
                else:
                    close(key.data, True)
finally:
    shutil.rmtree(d, ignore_errors=True)
`.trim();

export const NO_PYTHON_EXIT = 127;

export function agentRelayCommand(): string[] {
  return [
    '/bin/sh',
    '-c',
    'command -v python3 >/dev/null 2>&1 || { echo "agent forwarding needs python3 in the environment" >&2; ' +
      `exit ${NO_PYTHON_EXIT}; }; exec python3 -c "$DEVRIG_AGENT_RELAY"`,
    'devrig-agent-relay',
  ];
}

export const AGENT_RELAY_ENV = { DEVRIG_AGENT_RELAY: PYTHON_AGENT_RELAY };
