import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import type { ContainerProvider, ExecOptions, ExecProcess } from '../../../../runner/providers/provider';
import { watchListeners } from '../../../../runner/ports/listenerWatch';

/** The watch's timers never keep a runner alive (unref): a test keeps its own event loop going. */
function keepAlive(t: { after(fn: () => void): void }): void {
  const timer = setInterval(() => {}, 1000);
  t.after(() => clearInterval(timer));
}

/** Waits (with a deadline) until `pred` holds for the reported listeners. */
function reports() {
  let last: number[] | undefined;
  const waiters: (() => void)[] = [];
  const onListening = (ports: number[]) => {
    last = ports;
    waiters.splice(0).forEach((w) => w());
  };
  const until = async (pred: (p: number[]) => boolean, what: string) => {
    const deadline = Date.now() + 10_000;
    while (!last || !pred(last)) {
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; last ${JSON.stringify(last)}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };
  return { onListening, until };
}

// The local-engine path for real: this process stands in for the container's main process (its
// /proc/<pid>/net/tcp shows this network namespace), and no process is started to look.
test('listener watch (local engine): reads the process’s tables from here; a new listener shows at the next look', async (t) => {
  keepAlive(t);
  let execs = 0;
  const provider = {
    name: 'local',
    localProcess: async () => `/proc/${process.pid}`,
    exec: async () => {
      execs++;
      throw new Error('no exec expected');
    },
  } as unknown as ContainerProvider;
  const r = reports();
  const watch = watchListeners({
    provider,
    containerId: 'c1',
    policy: { activeMs: 50, idleMs: 50, activeForMs: 1000 },
    onListening: r.onListening,
    log: () => {},
  });
  t.after(() => watch.dispose());
  const server = createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  await r.until((p) => p.includes(port), `port ${port} reported`);
  server.close();
  await r.until((p) => !p.includes(port), `port ${port} gone`);
  assert.equal(execs, 0, 'nothing was started in the container');
});

test('listener watch: an engine whose processes are not visible here falls back to a watcher inside', async (t) => {
  keepAlive(t);
  let execs = 0;
  let done!: () => void;
  const execAsked = new Promise<void>((r) => (done = r));
  const provider = {
    name: 'vm',
    localProcess: async () => false as const,
    exec: async () => {
      execs++;
      done();
      throw new Error('container going away');
    },
  } as unknown as ContainerProvider;
  const watch = watchListeners({
    provider,
    containerId: 'c1',
    policy: { activeMs: 50, idleMs: 50, activeForMs: 1000 },
    onListening: () => {},
    log: () => {},
  });
  t.after(() => watch.dispose());
  await execAsked;
  assert.ok(execs >= 1);
});

// The path for an engine elsewhere, with the real watcher script: "the container" is this machine
// (exec spawns it here), told when to look by the runner's side. One process for the whole watch.
test('listener watch (engine elsewhere): one watcher process, told when to look, reports new listeners', async (t) => {
  keepAlive(t);
  const spawned: ReturnType<typeof spawn>[] = [];
  const provider = {
    name: 'remote',
    exec: async (_id: string, opts: ExecOptions): Promise<ExecProcess> => {
      const [cmd, ...args] = opts.cmd;
      const child = spawn(cmd!, args, {
        env: { ...process.env, ...opts.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      spawned.push(child);
      const exited = new Promise<{ code: number | null }>((res) =>
        child.once('exit', (code) => res({ code })),
      );
      return {
        stdin: child.stdin,
        stdout: child.stdout,
        stderr: child.stderr,
        resize: async () => {},
        signal: async (sig: string) => void child.kill(`SIG${sig}` as NodeJS.Signals),
        wait: () => exited,
      };
    },
  } as unknown as ContainerProvider;
  const r = reports();
  const watch = watchListeners({
    provider,
    containerId: `test-${process.pid}-${Date.now()}`,
    policy: { activeMs: 50, idleMs: 50, activeForMs: 1000 },
    onListening: r.onListening,
    log: () => {},
  });
  t.after(() => watch.dispose());
  const server = createServer();
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  await r.until((p) => p.includes(port), `port ${port} reported`);
  server.close();
  await r.until((p) => !p.includes(port), `port ${port} gone`);
  assert.equal(spawned.length, 1, 'one long-lived watcher, no process per look');
  const child = spawned[0]!;
  const exited = new Promise((res) => child.once('exit', res));
  watch.dispose();
  if (child.exitCode === null && child.signalCode === null) await exited;
});
