import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import type { Environment, PortStatus } from '../../runner/api';
import { RunnerClient } from '../../runner/client/runnerClient';
import { readRunnerInfo } from '../../runner/state/runnerInfo';
import { statePaths } from '../../runner/state/stateDir';
import { BASE_IMAGE, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { watchUntil } from '../helpers/wait';

// Ports a test machine is unlikely to use for anything else.
const APP = 38123;
const TAKEN = 38124;
const IGNORED = 38250;
const DETECTED = 38777;
const QUIET = 38799;

const port = (e: Environment, p: number): PortStatus | undefined => e.status.ports.find((x) => x.port === p);

async function get(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: await res.text() };
}

async function refused(localPort: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${localPort}/`, { signal: AbortSignal.timeout(5000) });
    return false;
  } catch {
    return true;
  }
}

// The runner holds forwards on 127.0.0.1 itself: they work with no IDE, no SSH session and no
// client connected at all, and follow the environment's life.
describe('runner-held port forwards on a real Docker engine', () => {
  let r: TestRunner;
  let folder: string;
  let occupied: Server;
  const name = 'ports';

  before(async () => {
    await requireDocker();
    // Something on this machine already uses TAKEN: its forward must go elsewhere.
    occupied = createServer();
    await new Promise<void>((resolve, reject) =>
      occupied.once('error', reject).listen(TAKEN, '127.0.0.1', resolve),
    );
    r = await startRunner();
    folder = makeProject(
      {
        image: BASE_IMAGE,
        remoteUser: 'vscode',
        forwardPorts: [APP, TAKEN],
        portsAttributes: {
          [APP]: { label: 'App', onAutoForward: 'openBrowser' },
          '38200-38300': { onAutoForward: 'ignore' },
        },
        otherPortsAttributes: { onAutoForward: 'silent' },
      },
      { 'served-from-the-environment.txt': 'hi\n' },
    );
  });
  after(async () => {
    await cleanupRunner(r);
    occupied?.close();
    removeProjects();
  });

  test('servers in the environment answer on runner-held local ports; a taken port moves and says so', async () => {
    const up = await r.cli(['up', folder, '--name', name]);
    assert.equal(up.code, 0, up.stderr);
    // Started by a command that ends at once: no session of any kind stays open.
    const start = await r.cli([
      'exec',
      name,
      '--',
      'sh',
      '-c',
      `for p in ${APP} ${TAKEN} ${IGNORED} ${DETECTED}; do setsid nohup python3 -m http.server $p >/dev/null 2>&1 & done`,
    ]);
    assert.equal(start.code, 0, start.stderr);
    const env = await watchUntil(
      r.client,
      name,
      (e) =>
        port(e, APP)?.listening === true &&
        port(e, TAKEN)?.listening === true &&
        port(e, IGNORED)?.state === 'Ignored' &&
        port(e, DETECTED)?.state === 'Forwarded',
      'to show every port',
      30_000,
    );
    const app = port(env, APP)!;
    assert.deepEqual(
      {
        source: app.source,
        state: app.state,
        localPort: app.localPort,
        label: app.label,
        on: app.onAutoForward,
      },
      { source: 'config', state: 'Forwarded', localPort: APP, label: 'App', on: 'openBrowser' },
    );
    assert.equal(app.url, `http://127.0.0.1:${APP}`);
    const res = await get(app.url!);
    assert.equal(res.status, 200);
    assert.match(res.body, /served-from-the-environment\.txt/);

    const taken = port(env, TAKEN)!;
    assert.equal(taken.state, 'Forwarded');
    assert.notEqual(taken.localPort, TAKEN);
    assert.match(
      taken.message ?? '',
      new RegExp(`127\\.0\\.0\\.1:${TAKEN} is in use.*127\\.0\\.0\\.1:${taken.localPort}`),
    );
    assert.equal((await get(`http://127.0.0.1:${taken.localPort}/`)).status, 200);

    assert.equal(port(env, IGNORED)?.localPort, undefined, 'ignored ports are not forwarded');
    const detected = port(env, DETECTED)!;
    assert.deepEqual([detected.source, detected.onAutoForward], ['detected', 'silent']);
    assert.equal((await get(`http://127.0.0.1:${detected.localPort}/`)).status, 200);

    const cli = await r.cli(['ports', name]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(
      cli.stdout,
      new RegExp(`^${APP}\\s+App\\s+config\\s+Forwarded\\s+http://127\\.0\\.0\\.1:${APP}`, 'm'),
    );
    assert.match(
      cli.stdout,
      new RegExp(`^${TAKEN}\\s+config\\s+Forwarded\\s+\\S+\\s+127\\.0\\.0\\.1:${TAKEN} is in use`, 'm'),
    );
  });

  test('forwards keep working with no client connected to the runner (the extension closed)', async () => {
    r.client.close();
    const again = await get(`http://127.0.0.1:${APP}/`);
    assert.equal(again.status, 200);
    // Reconnect as the extension would when it comes back.
    const info = (await readRunnerInfo(statePaths(r.stateDir).info))!;
    const token = readFileSync(statePaths(r.stateDir).token, 'utf8').trim();
    r.client = await RunnerClient.connect({ port: info.port, token, client: 'test' });
    const env = await r.client.call('get', { kind: 'Environment', name });
    assert.equal(env.kind === 'Environment' && port(env, APP)?.state, 'Forwarded');
  });

  test('a detected port that stops listening goes away', async () => {
    const env = await r.client.call('get', { kind: 'Environment', name });
    assert.equal(env.kind, 'Environment');
    const local = port(env, DETECTED)!.localPort!;
    const kill = await r.cli(['exec', name, '--', 'pkill', '-f', `http.server ${DETECTED}`]);
    assert.equal(kill.code, 0, kill.stderr);
    await watchUntil(r.client, name, (e) => !port(e, DETECTED), `to drop port ${DETECTED}`, 20_000);
    assert.ok(await refused(local), 'its local listener is closed');
  });

  test('stopping the environment tears its forwards down', async () => {
    const stop = await r.cli(['stop', name]);
    assert.equal(stop.code, 0, stop.stderr);
    const env = await r.client.call('get', { kind: 'Environment', name });
    assert.deepEqual(env.kind === 'Environment' && env.status.ports, []);
    assert.ok(await refused(APP));
  });

  test('forwardPorts are shown and held while nothing in the environment listens at all', async () => {
    const quiet = makeProject({ image: BASE_IMAGE, remoteUser: 'vscode', forwardPorts: [QUIET] });
    const up = await r.cli(['up', quiet, '--name', 'quiet']);
    assert.equal(up.code, 0, up.stderr);
    const env = await watchUntil(
      r.client,
      'quiet',
      (e) => port(e, QUIET)?.state === 'Forwarded',
      `to show port ${QUIET} with no listener anywhere in it`,
      20_000,
    );
    const p = port(env, QUIET)!;
    assert.deepEqual([p.source, p.listening, p.localPort], ['config', false, QUIET]);
    assert.equal(p.message, `nothing listens on port ${QUIET} in the environment yet`);
    const cli = await r.cli(['ports', 'quiet']);
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(
      cli.stdout,
      new RegExp(`^${QUIET}\\s+config\\s+Forwarded\\s+http://127\\.0\\.0\\.1:${QUIET}`, 'm'),
    );
    // The runner holds the local end already: a client connects (and is closed, nothing answers inside).
    await new Promise<void>((resolve, reject) => {
      const s = connect(QUIET, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve();
      }).once('error', reject);
    });
  });
});
