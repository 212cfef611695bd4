import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import {
  parseListeningPorts,
  portsWatchCommand,
  SNAPSHOT_END,
  WATCHER_MARKER,
  watcherEnv,
} from '../../../../runner/ports/portDetector';
import { PROCESS_MARKER } from '../../../../runner/providers/ssh/plainHost';

/** Ids no other watcher on this machine has (a watcher retires others with its id). */
const uniqueId = () => `test-${process.pid}-${randomBytes(4).toString('hex')}`;

/** The watcher looks at each line on its stdin: the runner's side, told to look every 100 ms. */
function spawnWatcher(env: Record<string, string>, stderr: 'ignore' | 'pipe' = 'ignore'): ChildProcess {
  const [cmd, ...args] = portsWatchCommand();
  const child = spawn(cmd!, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', stderr] });
  child.stdin!.on('error', () => {});
  const tick = setInterval(() => child.stdin!.write('\n'), 100);
  child.once('exit', () => clearInterval(tick));
  return child;
}

/** A watcher process for `id`, resolving `first` once its first snapshot is out. */
function startWatcher(
  id: string,
  env: Record<string, string> = watcherEnv(id),
): { child: ChildProcess; first: Promise<void>; exited: Promise<void> } {
  const child = spawnWatcher(env);
  const first = new Promise<void>((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes(`${SNAPSHOT_END}\n`)) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', () => reject(new Error(`watcher ${id} exited before its first snapshot`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, first, exited };
}

/** Still running: not exited, and not a zombie whose exit is yet to be reported. */
function alive(c: ChildProcess): boolean {
  if (c.exitCode !== null || c.signalCode !== null) return false;
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${c.pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

// The watcher script for real, on this machine's /proc: it prints a snapshot at once, then only
// when the set of listeners changes.
test('the ports watcher reports a new listener at its next look, and is quiet otherwise', async () => {
  const child = spawnWatcher(watcherEnv(uniqueId()), 'pipe');
  const snapshots: number[][] = [];
  let lines: string[] = [];
  let partial = '';
  const waiters: (() => void)[] = [];
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop()!;
    for (const l of parts) {
      if (l !== SNAPSHOT_END) lines.push(l);
      else {
        snapshots.push(parseListeningPorts(lines.join('\n')));
        lines = [];
        waiters.splice(0).forEach((w) => w());
      }
    }
  });
  const nextSnapshot = (timeoutMs: number) =>
    new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      waiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  const server = createServer();
  try {
    assert.equal(await nextSnapshot(5000), true, 'a first snapshot at once');
    // Quiet while nothing changes. This is the machine's own /proc, where other processes (tests
    // running alongside) may open or close listeners meanwhile: a snapshot may then come, but only
    // with a set of listeners other than the one before it.
    const seen = snapshots.length;
    await nextSnapshot(800);
    for (let i = seen; i < snapshots.length; i++) {
      assert.notDeepEqual(snapshots[i], snapshots[i - 1], 'a snapshot only when the listeners change');
    }
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    assert.equal(await nextSnapshot(5000), true, 'a snapshot when a listener appears');
    assert.ok(snapshots.at(-1)!.includes(port), `port ${port} in ${snapshots.at(-1)}`);
    assert.ok(!snapshots[0]!.includes(port));
  } finally {
    server.close();
    child.kill();
  }
});

// Environments on one plain host (one machine, one user) see each other's processes: a new
// watcher retires only an old one of its own environment.
test('a new ports watcher retires the old one with its id and leaves other ids alone', async () => {
  const a = uniqueId();
  const b = uniqueId();
  const watchers = [startWatcher(a)];
  try {
    // Each retires before its first snapshot: once that is out, its retiring is done.
    await watchers[0]!.first;
    watchers.push(startWatcher(b));
    await watchers[1]!.first;
    assert.ok(alive(watchers[0]!.child), 'a watcher with another id survives');
    watchers.push(startWatcher(a));
    await watchers[2]!.first;
    await Promise.race([
      watchers[0]!.exited,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('the old watcher is still alive')), 5000).unref(),
      ),
    ]);
    assert.ok(alive(watchers[1]!.child), "the other environment's watcher survives");
    assert.ok(alive(watchers[2]!.child), 'the new watcher runs');
  } finally {
    for (const w of watchers) w.child.kill();
    await Promise.all(watchers.map((w) => w.exited));
  }
});

test("an older runner's watcher (no id) is retired only by its own plain environment's new one", async () => {
  const plain = uniqueId();
  const other = uniqueId();
  const legacy = startWatcher('legacy', { [WATCHER_MARKER]: '1', [PROCESS_MARKER]: plain });
  const watchers = [legacy];
  try {
    await legacy.first;
    watchers.push(startWatcher(uniqueId(), { ...watcherEnv(uniqueId()), [PROCESS_MARKER]: other }));
    await watchers[1]!.first;
    assert.ok(alive(legacy.child), "another plain environment's watcher leaves it alone");
    watchers.push(startWatcher(uniqueId(), { ...watcherEnv(uniqueId()), [PROCESS_MARKER]: plain }));
    await watchers[2]!.first;
    await Promise.race([
      legacy.exited,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('the old watcher is still alive')), 5000).unref(),
      ),
    ]);
    assert.ok(alive(watchers[1]!.child));
  } finally {
    for (const w of watchers) w.child.kill();
    await Promise.all(watchers.map((w) => w.exited));
  }
});
