import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a program to completion (killed after timeoutMs), collecting its output. */
export function run(
  cmd: string,
  args: string[],
  opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}

/** devrig's generated ssh_config for a runner's state folder: the only configuration tests use. */
export const sshConfigOf = (stateDir: string) => join(stateDir, 'ssh_config');

/** The arguments of `ssh -N -L SPEC HOST` with devrig's config: exits when the forward cannot be set up. */
export function sshForwardArgs(stateDir: string, spec: string, host: string): string[] {
  return ['-F', sshConfigOf(stateDir), '-N', '-o', 'ExitOnForwardFailure=yes', '-L', spec, host];
}

/** `ssh -F <state>/ssh_config ARGS...` */
export function ssh(stateDir: string, args: string[], opts?: Parameters<typeof run>[2]): Promise<RunResult> {
  return run('ssh', ['-F', sshConfigOf(stateDir), ...args], opts);
}

export type PtyStep =
  | { expect: string; timeoutMs?: number }
  | { send: string }
  | { resize: [rows: number, cols: number] }
  | { mark: string };

export interface PtyResult {
  output: string;
  exitCode: number | null;
  /** Seconds since the start for each `mark` step, and `exit`. */
  marks: Record<string, number>;
}

/**
 * Drives a program (ssh -tt) under a real pseudo-terminal of the given size, the way a terminal
 * emulator would: Python's pty module, window size set before the program starts, resizes with
 * TIOCSWINSZ (the kernel sends SIGWINCH), keystrokes written to the master side.
 */
const PTY_DRIVER = String.raw`
import fcntl, json, os, pty, re, select, signal, struct, sys, termios, time
plan = json.loads(sys.argv[1])
t0 = time.time()
def winsize(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
pid, fd = pty.fork()
if pid == 0:
    winsize(0, *plan["size"])
    os.execvp(plan["argv"][0], plan["argv"])
out = b""
marks = {}
def pump(timeout):
    global out
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return True
    try:
        d = os.read(fd, 65536)
    except OSError:
        return False
    if not d:
        return False
    out += d
    return True
cursor = 0
for step in plan["steps"]:
    if "expect" in step:
        deadline = time.time() + step.get("timeoutMs", 20000) / 1000
        pat = re.compile(step["expect"].encode())
        while True:
            m = pat.search(out, cursor)
            if m:
                cursor = m.end()
                break
            if time.time() > deadline or not pump(0.05):
                print(json.dumps({"error": "timed out waiting for %r" % step["expect"], "output": out.decode("utf-8", "replace")}))
                os.kill(pid, signal.SIGKILL)
                sys.exit(0)
    elif "send" in step:
        os.write(fd, step["send"].encode())
    elif "resize" in step:
        winsize(fd, *step["resize"])
    elif "mark" in step:
        marks[step["mark"]] = time.time() - t0
deadline = time.time() + plan.get("exitTimeoutMs", 20000) / 1000
status = None
while status is None:
    wpid, st = os.waitpid(pid, os.WNOHANG)
    if wpid:
        status = st
        break
    if time.time() > deadline:
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        break
    if not pump(0.05):
        time.sleep(0.01)
marks["exit"] = time.time() - t0
while True:
    r, _, _ = select.select([fd], [], [], 0.05)
    if not r:
        break
    try:
        d = os.read(fd, 65536)
    except OSError:
        break
    if not d:
        break
    out += d
print(json.dumps({"output": out.decode("utf-8", "replace"), "exitCode": os.waitstatus_to_exitcode(status), "marks": marks}))
`;

export async function runInPty(
  argv: string[],
  size: [rows: number, cols: number],
  steps: PtyStep[],
  exitTimeoutMs = 20_000,
): Promise<PtyResult> {
  const r = await run('python3', ['-c', PTY_DRIVER, JSON.stringify({ argv, size, steps, exitTimeoutMs })], {
    timeoutMs: 120_000,
  });
  let parsed: PtyResult & { error?: string };
  try {
    parsed = JSON.parse(r.stdout);
  } catch {
    throw new Error(`pty driver failed (exit ${r.code}): ${r.stderr}${r.stdout}`);
  }
  if (parsed.error) throw new Error(`${parsed.error}; output so far: ${JSON.stringify(parsed.output)}`);
  return parsed;
}
