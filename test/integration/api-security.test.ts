import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import WebSocket from 'ws';
import { readRunnerInfo } from '../../runner/state/runnerInfo';
import { statePaths } from '../../runner/state/stateDir';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { waitFor } from '../helpers/wait';

/** Opens a raw WebSocket to the runner and reports the HTTP status it got. */
function attempt(port: number, headers: Record<string, string>): Promise<number | 'open'> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => {});
  });
}

describe('the runner API lets in only local processes holding the token', () => {
  let r: TestRunner;
  let port: number;
  let token: string;

  before(async () => {
    r = await startRunner();
    port = (await readRunnerInfo(statePaths(r.stateDir).info))!.port;
    token = readFileSync(statePaths(r.stateDir).token, 'utf8').trim();
  });
  after(() => cleanupRunner(r));

  test('with the token: accepted', async () => {
    assert.equal(await attempt(port, { authorization: `Bearer ${token}` }), 'open');
  });
  test('no token: refused with 401', async () => {
    assert.equal(await attempt(port, {}), 401);
  });
  test('wrong token: refused with 401', async () => {
    assert.equal(await attempt(port, { authorization: `Bearer ${token.slice(0, -2)}xx` }), 401);
  });
  test('a browser Origin, even with the token: refused with 403', async () => {
    assert.equal(await attempt(port, { authorization: `Bearer ${token}`, origin: 'http://x' }), 403);
    assert.equal(
      await attempt(port, { authorization: `Bearer ${token}`, origin: 'vscode-webview://abc' }),
      403,
    );
  });
  test('listens on loopback only', async () => {
    const info = await readRunnerInfo(statePaths(r.stateDir).info);
    const ss = readFileSync('/proc/net/tcp', 'utf8') + readFileSync('/proc/net/tcp6', 'utf8');
    const hex = info!.port.toString(16).toUpperCase().padStart(4, '0');
    const lines = ss.split('\n').filter((l) => l.includes(`:${hex} `) && l.trim().split(/\s+/)[3] === '0A');
    assert.ok(lines.length > 0, 'the port is listening');
    for (const l of lines) assert.match(l.trim().split(/\s+/)[1]!, /^0100007F:/, 'bound to 127.0.0.1');
  });
  test('state folder is 0700; token, runner.json and store files are 0600', () => {
    const p = statePaths(r.stateDir);
    assert.equal(statSync(p.root).mode & 0o777, 0o700);
    assert.equal(statSync(p.store).mode & 0o777, 0o700);
    for (const f of [p.token, p.info, p.runnerId, `${p.store}/journal.log`]) {
      assert.equal(statSync(f).mode & 0o777, 0o600, f);
    }
  });
  test('a client that resets a refused upgrade does not take the runner down', async () => {
    for (let i = 0; i < 5; i++) {
      await new Promise<void>((resolve) => {
        const sock = connect(port, '127.0.0.1', () => {
          sock.write(
            'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
              'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
          );
          sock.resetAndDestroy();
          resolve();
        });
        sock.on('error', () => resolve());
      });
    }
    assert.deepEqual((await r.client.call('list', { kind: 'Environment' })).items, []);
    assert.equal(r.child.exitCode, null);
  });

  test('an oversized frame ends that connection only', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { authorization: `Bearer ${token}` } });
    await new Promise((res) => ws.once('open', res));
    const closed = new Promise<number>((res) => ws.once('close', (code) => res(code)));
    ws.on('error', () => {});
    ws.send('x'.repeat(17 * 1024 * 1024));
    assert.equal(await closed, 1009);
    assert.deepEqual((await r.client.call('list', { kind: 'Environment' })).items, []);
    assert.equal(r.child.exitCode, null);
  });

  test('malformed frames and unknown methods are refused; the runner stays up', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { authorization: `Bearer ${token}` } });
    await new Promise((res) => ws.once('open', res));
    const replies: unknown[] = [];
    ws.on('message', (d) => replies.push(JSON.parse(d.toString())));
    ws.send(JSON.stringify({ id: 1, method: 'nope', params: {} }));
    ws.send(JSON.stringify({ id: 2, method: 'get', params: { kind: 'Environment', name: 'Bad Name!' } }));
    await new Promise<void>((res) => {
      const check = () => (replies.length >= 2 ? res() : setTimeout(check, 10));
      check();
    });
    assert.deepEqual((replies[0] as { error: { code: string } }).error.code, 'BadRequest');
    assert.equal((replies[1] as { error: { code: string } }).error.code, 'Invalid');
    const closed = new Promise<number>((res) => ws.once('close', (code) => res(code)));
    ws.send('this is not json');
    assert.equal(await closed, 1008);
    const hello = await r.client.call('list', { kind: 'Environment' });
    assert.deepEqual(hello.items, []);
  });

  test('a valid request right after a malformed frame on the same connection does not run', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'devrig-victim-'));
    const stopped = (name: string) => ({
      resource: {
        kind: 'Environment' as const,
        metadata: { name },
        spec: { source: { folder }, devcontainer: { config: { image: 'x' } }, state: 'Stopped' as const },
      },
    });
    try {
      await r.client.call('apply', stopped('victim'));
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { authorization: `Bearer ${token}` } });
      await new Promise((res) => ws.once('open', res));
      const replies: unknown[] = [];
      ws.on('message', (d) => replies.push(JSON.parse(d.toString())));
      const closed = new Promise<number>((res) => ws.once('close', (code) => res(code)));
      // Both frames in one go: the runner reads them together. A delete goes straight to the store.
      ws.send('this is not json');
      ws.send(JSON.stringify({ id: 7, method: 'delete', params: { kind: 'Environment', name: 'victim' } }));
      assert.equal(await closed, 1008);
      // Store writes are kept in order: once this one is done, a delete queued before it would be too.
      await r.client.call('apply', stopped('marker'));
      assert.deepEqual(replies, [], 'nothing was answered');
      const victim = await r.client.call('get', { kind: 'Environment', name: 'victim' });
      assert.equal(victim.metadata.deletionTimestamp, undefined, 'the delete did not run');
      assert.match(r.log(), /closing a connection: a frame is not JSON/);
    } finally {
      for (const name of ['victim', 'marker']) {
        await r.client.call('delete', { kind: 'Environment', name }).catch(() => {});
      }
      await waitFor('the environments to go', async () => {
        const { items } = await r.client.call('list', { kind: 'Environment' });
        return items.length === 0;
      });
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('a request nested 20k deep is refused with where, not a stack overflow', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'devrig-deep-'));
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { headers: { authorization: `Bearer ${token}` } });
      await new Promise((res) => ws.once('open', res));
      const reply = new Promise<{ id: number; error?: { code: string; message: string } }>((res) =>
        ws.once('message', (d) => res(JSON.parse(d.toString()))),
      );
      // Written out as text: JSON.stringify (as any client would use) cannot even make it.
      const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
      const spec = `{"source":{"folder":${JSON.stringify(folder)}},"state":"Stopped","devcontainer":{"config":${deep}}}`;
      ws.send(
        `{"id":3,"method":"apply","params":{"resource":{"kind":"Environment","metadata":{"name":"deep"},"spec":${spec}}}}`,
      );
      const { id, error } = await reply;
      assert.equal(id, 3);
      assert.equal(error?.code, 'BadRequest');
      assert.match(
        error!.message,
        /^the request is nested more than 80 objects or arrays deep \(at params\.resource\.spec\.devcontainer\.config\.a\.a/,
      );
      ws.close();
      assert.deepEqual((await r.client.call('list', { kind: 'Environment' })).items, []);
      assert.doesNotMatch(r.log(), /call stack/i);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
