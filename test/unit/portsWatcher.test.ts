import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import {
  parseListeningPorts,
  portsWatchCommand,
  SNAPSHOT_END,
  WATCHER_MARKER,
} from '../../runner/ports/portDetector';

// The watcher script for real, on this machine's /proc: it prints a snapshot at once, then only
// when the set of listeners changes.
test('the ports watcher reports a new listener within a second or two, and is quiet otherwise', async () => {
  const [cmd, ...args] = portsWatchCommand(0.2);
  const child = spawn(cmd!, args, { env: { ...process.env, [WATCHER_MARKER]: '1' } });
  const snapshots: number[][] = [];
  let lines: string[] = [];
  let partial = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (d: Buffer) => {
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
    assert.equal(await nextSnapshot(800), false, 'nothing while nothing changes');
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
