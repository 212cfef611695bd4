// The extension's runner management against real runner processes: start when absent, share one runner
// between windows, restart it after kill -9 (keeping the cache), replace an older runner.
import { after, afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from '../../runner/state/lock';
import { readRunnerInfo } from '../../runner/state/runnerInfo';
import { statePaths } from '../../runner/state/stateDir';
import { ResourceCache } from '../../extension/runner/resourceCache';
import { RunnerConnection, type RunnerState } from '../../extension/runner/runnerConnection';
import { ROOT, RUNNER_JS } from '../helpers/runnerProcess';
import { waitFor } from '../helpers/wait';

const EXTENSION_VERSION = '0.1.0';

describe('extension runner connection (real runner processes)', () => {
  const stateDirs: string[] = [];
  const connections: RunnerConnection[] = [];

  function newStateDir(): string {
    const d = mkdtempSync(join(tmpdir(), 'devrig-ext-state-'));
    stateDirs.push(d);
    return d;
  }

  function connection(stateDir: string, log: string[] = []): RunnerConnection {
    const c = new RunnerConnection({
      stateDir,
      launch: { runnerScript: RUNNER_JS, nodePath: process.execPath, env: { ...process.env } },
      clientName: 'test-extension',
      extensionVersion: EXTENSION_VERSION,
      log: (m) => log.push(m),
      backoff: { initialMs: 50, maxMs: 1000, factor: 2, jitter: 0 },
    });
    connections.push(c);
    return c;
  }

  async function killRunners(): Promise<void> {
    for (const d of stateDirs) {
      const paths = statePaths(d);
      const lockPid = existsSync(paths.lock)
        ? Number.parseInt(readFileSync(paths.lock, 'utf8'), 10)
        : undefined;
      for (const pid of [(await readRunnerInfo(paths.info))?.pid, lockPid]) {
        if (pid && Number.isInteger(pid) && processAlive(pid)) process.kill(pid, 'SIGKILL');
      }
    }
  }

  afterEach(async () => {
    for (const c of connections.splice(0)) c.dispose();
    await killRunners();
  });
  after(() => {
    for (const d of stateDirs) rmSync(d, { recursive: true, force: true });
  });

  test('starts the runner when none answers; a second window shares it', async () => {
    const stateDir = newStateDir();
    const a = connection(stateDir);
    const started = Date.now();
    a.start();
    const client = await a.whenConnected();
    console.log(`# first connect incl. starting the runner: ${Date.now() - started} ms`);
    assert.equal(a.state.kind, 'connected');
    assert.equal(client.runnerVersion, EXTENSION_VERSION);
    const info = await readRunnerInfo(statePaths(stateDir).info);
    assert.equal(info?.pid, client.runnerPid);
    const b = connection(stateDir);
    b.start();
    const other = await b.whenConnected();
    assert.equal(other.runnerPid, client.runnerPid, 'every window shares the one runner');
  });

  test('a second runner started on the same state folder exits 3 and leaves the first findable', async () => {
    // Two windows reconnecting at once both start a runner; the loser must not hide the winner.
    const stateDir = newStateDir();
    const conn = connection(stateDir);
    conn.start();
    const client = await conn.whenConnected();
    const loser = spawnSync(process.execPath, [RUNNER_JS, '--state-dir', stateDir], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(loser.status, 3, loser.stderr);
    assert.equal((await readRunnerInfo(statePaths(stateDir).info))?.pid, client.runnerPid);
    const other = connection(stateDir);
    other.start();
    assert.equal((await other.whenConnected()).runnerPid, client.runnerPid);
  });

  test('kill -9 of the runner: reconnects to a runner it starts itself, and the cache is kept meanwhile', async () => {
    const stateDir = newStateDir();
    const conn = connection(stateDir);
    const cache = new ResourceCache();
    conn.on('connected', (c) => void cache.attach(c));
    conn.on('state', (s) => s.kind !== 'connected' && cache.detach());
    conn.start();
    const client = await conn.whenConnected();
    await client.call('apply', {
      resource: {
        kind: 'Host',
        metadata: { name: 'box' },
        spec: { address: '127.0.0.1', port: 1, user: 'nobody' },
      },
    });
    await waitFor(
      'the host in the cache',
      () => cache.hosts().some((h) => h.metadata.name === 'box'),
      10_000,
    );
    const states: RunnerState['kind'][] = [];
    conn.on('state', (s) => states.push(s.kind));
    const oldPid = client.runnerPid;
    const killedAt = Date.now();
    process.kill(oldPid, 'SIGKILL');
    await waitFor('the cache to go stale', () => !cache.synced, 10_000);
    assert.ok(
      cache.hosts().some((h) => h.metadata.name === 'box'),
      'the last known objects stay',
    );
    const again = await conn.whenConnected();
    await waitFor('the cache to sync again', () => cache.synced, 10_000);
    console.log(`# kill -9 → reconnected to a new runner: ${Date.now() - killedAt} ms`);
    assert.notEqual(again.runnerPid, oldPid);
    assert.ok(processAlive(again.runnerPid));
    assert.ok(states.includes('connecting') && states.at(-1) === 'connected', states.join(','));
    assert.ok(
      cache.hosts().some((h) => h.metadata.name === 'box'),
      'the store survived the crash',
    );
  });

  test('an older runner is shut down and replaced by the bundled one', async () => {
    const stateDir = newStateDir();
    // A runner from source, claiming an old version.
    const wrapper = join(stateDir, '..', `old-runner-${process.pid}.cjs`);
    writeFileSync(
      wrapper,
      `require(${JSON.stringify(join(ROOT, 'node_modules/tsx/dist/cjs/index.cjs'))});\nrequire(${JSON.stringify(join(ROOT, 'runner/main.ts'))});\n`,
    );
    const old = spawn(process.execPath, [wrapper, '--state-dir', stateDir], {
      env: { ...process.env, DEVRIG_VERSION: '0.0.1', DEVRIG_STATE_DIR: stateDir },
      cwd: ROOT,
      stdio: 'ignore',
    });
    try {
      const info = await waitFor(
        'the old runner to listen',
        async () => {
          const i = await readRunnerInfo(statePaths(stateDir).info);
          return i?.pid === old.pid ? i : undefined;
        },
        30_000,
      );
      assert.equal(info.version, '0.0.1');
      const log: string[] = [];
      const conn = connection(stateDir, log);
      conn.start();
      const client = await conn.whenConnected();
      assert.equal(client.runnerVersion, EXTENSION_VERSION);
      assert.notEqual(client.runnerPid, old.pid);
      await waitFor('the old runner to be gone', () => !processAlive(old.pid!), 5000);
      assert.ok(
        log.some((l) => /older than this extension/.test(l)),
        log.join('\n'),
      );
    } finally {
      if (old.exitCode === null) old.kill('SIGKILL');
      rmSync(wrapper, { force: true });
    }
  });

  test('restartRunner: a new runner process; other windows follow on their own', async () => {
    const stateDir = newStateDir();
    const a = connection(stateDir);
    const b = connection(stateDir);
    a.start();
    const first = await a.whenConnected();
    b.start();
    await b.whenConnected();
    await a.restartRunner();
    const second = a.client!;
    assert.notEqual(second.runnerPid, first.runnerPid);
    assert.ok(!processAlive(first.runnerPid));
    await waitFor('the other window to reconnect', () => b.client?.runnerPid === second.runnerPid, 15_000);
  });
});
