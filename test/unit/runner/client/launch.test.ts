import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { API_VERSION, isApiError } from '../../../../runner/api';
import {
  connectRunner,
  readTail,
  rotateLog,
  startFailure,
  tryConnect,
} from '../../../../runner/client/launch';
import { RunnerClient } from '../../../../runner/client/runnerClient';
import { currentProcess } from '../../../../runner/state/lock';
import { writeRunnerInfo } from '../../../../runner/state/runnerInfo';
import { statePaths } from '../../../../runner/state/stateDir';
import { removeProjects, tempDir } from '../../../helpers/project';

after(removeProjects);

test('readTail reads the last lines from the end of a large log only', async () => {
  const path = join(tempDir('devrig-log-'), 'runner.log');
  const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${'x'.repeat(40)}`);
  writeFileSync(path, lines.join('\n') + '\n');
  assert.ok(statSync(path).size > 16 * 1024 * 20);
  assert.equal(await readTail(path, 5), lines.slice(-5).join('\n'));
  // The window starts mid-line: that fragment is never shown as a line.
  assert.equal(await readTail(path, 100_000, 120), lines.slice(-2).join('\n'));
  writeFileSync(path, 'only\n');
  assert.equal(await readTail(path, 5), 'only');
  assert.equal(await readTail(join(path, '..', 'missing.log'), 5), undefined);
});

test('runner.log is rotated once it is larger than the limit', () => {
  const path = join(tempDir('devrig-log-'), 'runner.log');
  writeFileSync(path, 'old runner\n');
  rotateLog(path, 100);
  assert.ok(existsSync(path) && !existsSync(`${path}.1`), 'small: kept');
  writeFileSync(path, 'x'.repeat(101));
  rotateLog(path, 100);
  assert.ok(!existsSync(path));
  assert.equal(readFileSync(`${path}.1`, 'utf8'), 'x'.repeat(101));
  rotateLog(path, 100); // nothing to rotate
});

/** A stand-in runner: answers hello as told and records each connection's close. */
async function fakeRunner(t: { after(fn: () => unknown): void }, hello: (ws: WebSocket, id: number) => void) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  const closed: Promise<unknown>[] = [];
  wss.on('connection', (ws) => {
    closed.push(once(ws, 'close'));
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { id: number; method: string };
      if (frame.method === 'hello') hello(ws, frame.id);
      else ws.send(JSON.stringify({ id: frame.id, result: { ok: true } }));
    });
  });
  t.after(() => new Promise((r) => wss.close(r)));
  const stateDir = tempDir('devrig-state-');
  const paths = statePaths(stateDir);
  writeFileSync(paths.token, 'secret-token\n');
  await writeRunnerInfo(paths.info, {
    pid: process.pid,
    pidStartTime: currentProcess().startTime,
    port: (wss.address() as AddressInfo).port,
    version: '9.9.9',
    startedAt: 'then',
  });
  return { stateDir, port: (wss.address() as AddressInfo).port, connections: () => closed };
}

const helloResult = (apiVersion: number) => ({
  version: '9.9.9',
  apiVersion,
  pid: process.pid,
  startedAt: 'then',
});

test(
  'a runner speaking another API version: connectRunner fails clearly and closes its socket',
  { timeout: 10_000 },
  async (t) => {
    const other = API_VERSION + 1;
    const r = await fakeRunner(t, (ws, id) => ws.send(JSON.stringify({ id, result: helloResult(other) })));
    await assert.rejects(
      connectRunner({ stateDir: r.stateDir, client: 'test' }),
      (e) =>
        isApiError(e, 'Unavailable') &&
        e.message ===
          `the running runner (pid ${process.pid}, version 9.9.9) speaks API v${other}; this devrig speaks ` +
            `v${API_VERSION}: stop it with \`devrig runner stop\``,
    );
    assert.equal(r.connections().length, 1);
    await Promise.all(r.connections());

    // What `devrig runner stop` uses still gets through, and says which version it found.
    const c = await tryConnect(r.stateDir, 'test');
    assert.equal(c?.runnerApiVersion, other);
    assert.deepEqual(await c!.call('shutdown', {}), { ok: true });
    c!.close();
    const allowed = await connectRunner({ stateDir: r.stateDir, client: 'test', allowOtherApiVersion: true });
    assert.equal(allowed.runnerApiVersion, other);
    allowed.close();
    await Promise.all(r.connections());
  },
);

test('a failed hello closes the connection', { timeout: 10_000 }, async (t) => {
  const r = await fakeRunner(t, (ws, id) =>
    ws.send(JSON.stringify({ id, error: { code: 'BadRequest', message: 'go away' } })),
  );
  await assert.rejects(RunnerClient.connect({ port: r.port, token: 'secret-token', client: 'test' }), (e) =>
    isApiError(e, 'BadRequest'),
  );
  assert.equal(r.connections().length, 1);
  await Promise.all(r.connections());
});

test('a runner that could not start is reported by its own reason, never its stack frames', () => {
  const tail = [
    '2030-01-01T00:00:00.000Z api listening',
    'devrig runner: cannot start: /s/store/journal.log: line 2 (byte 97): checksum mismatch; run repair',
    'StoreDamagedError: …',
    '    at readJournal (/x/runner.js:1:2)',
  ].join('\n');
  assert.equal(
    startFailure(1, tail),
    'the runner could not start: /s/store/journal.log: line 2 (byte 97): checksum mismatch; run repair',
  );
  // A runner that said nothing of its own: the last lines of its log.
  assert.equal(startFailure(9, 'a\nb'), 'the runner exited with code 9:\na\nb');
  assert.equal(startFailure(9, undefined), 'the runner exited with code 9');
});
