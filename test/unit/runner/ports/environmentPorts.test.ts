import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import type { PortStatus } from '../../../../runner/api';
import type { ContainerProvider, ExecProcess } from '../../../../runner/providers/provider';
import { EnvironmentPorts } from '../../../../runner/ports/environmentPorts';
import { SNAPSHOT_END } from '../../../../runner/ports/portDetector';

/** A /proc/net/tcp listener line for `port` on 0.0.0.0. */
const listener = (port: number) =>
  `   0: 00000000:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A 0 0 0 0 0 ${port}`;
const snapshot = (...ports: number[]) => [...ports.map(listener), SNAPSHOT_END, ''].join('\n');

/** Local ports free right now (listened on and closed again). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, async () => {
      const s = createServer();
      await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
      return s;
    }),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** EnvironmentPorts on a fake provider whose watcher prints what the test writes. */
function harness(forwardPorts: number[] = []) {
  const stdout = new PassThrough();
  let end!: () => void;
  const ended = new Promise<{ code: number | null }>((r) => (end = () => r({ code: 0 })));
  const watcher: ExecProcess = {
    stdin: new PassThrough(),
    stdout,
    stderr: new PassThrough(),
    resize: async () => {},
    signal: async () => end(),
    wait: () => ended,
  };
  const provider = {
    exec: async () => watcher,
    connectTcp: async () => new PassThrough(),
  } as unknown as ContainerProvider;
  const published: PortStatus[][] = [];
  const waiters: (() => void)[] = [];
  const ports = new EnvironmentPorts({
    provider,
    containerId: 'c1',
    config: { forwardPorts, portsAttributes: {} },
    previous: [],
    publish: (p) => {
      published.push(p);
      waiters.splice(0).forEach((w) => w());
    },
    onTraffic: () => {},
    log: () => {},
  });
  /** Resolves once a publish satisfies `pred` (or rejects after a deadline). */
  const publishedWhere = (pred: (p: PortStatus[]) => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(
        () => reject(new Error(`no publish ${what}: ${JSON.stringify(published)}`)),
        5000,
      );
      const check = () => {
        if (published.some(pred)) {
          clearTimeout(deadline);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  return { ports, stdout, published, publishedWhere, stop: () => ports.dispose() };
}

const forwarded = (p: PortStatus[], port: number) =>
  p.some((x) => x.port === port && x.state === 'Forwarded');

test('ports: syncs one at a time; a port gone meanwhile is not left forwarded, no older plan after a newer', async () => {
  const [x, y] = (await freePorts(2)) as [number, number];
  const h = harness();
  h.ports.start();
  try {
    // Port x appears and is gone again before its forward is open.
    h.stdout.write(snapshot(x) + snapshot());
    await h.publishedWhere(() => true, 'at all');
    h.stdout.write(snapshot(y));
    await h.publishedWhere((p) => forwarded(p, y), `with ${y} forwarded`);
    await h.ports.settled();
    const firstWithoutX = h.published.findIndex((p) => !forwarded(p, x));
    assert.ok(
      h.published.slice(firstWithoutX).every((p) => !forwarded(p, x)),
      `no plan with ${x} after one without it: ${JSON.stringify(h.published)}`,
    );
    assert.deepEqual(
      h.published.at(-1)!.map((p) => [p.port, p.state]),
      [[y, 'Forwarded']],
    );
    assert.equal(await accepts(x), false, `nothing listens on 127.0.0.1:${x} any more`);
    assert.equal(await accepts(y), true);
  } finally {
    h.stop();
  }
  assert.equal(await accepts(y), false, 'dispose closes the forwards');
});

test('ports: forwardPorts are held and shown at once, before the watcher reports and while nothing listens', async () => {
  const [x] = (await freePorts(1)) as [number];
  const h = harness([x]);
  h.ports.start();
  try {
    // The watcher has said nothing yet.
    await h.publishedWhere((p) => forwarded(p, x), `with ${x} forwarded`);
    assert.deepEqual(
      h.published.at(-1)!.map((p) => [p.port, p.source, p.state, p.listening, p.message]),
      [[x, 'config', 'Forwarded', false, `nothing listens on port ${x} in the environment yet`]],
    );
    assert.equal(await accepts(x), true, 'the runner holds the forward');
    // Its first look: nothing listens at all. The port stays.
    h.stdout.write(snapshot());
    await h.ports.settled();
    assert.deepEqual(
      h.published.at(-1)!.map((p) => [p.port, p.state]),
      [[x, 'Forwarded']],
    );
  } finally {
    h.stop();
  }
});
