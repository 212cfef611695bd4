import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunnerInfo } from '../../runner/state/runnerInfo';
import { statePaths } from '../../runner/state/stateDir';
import { RUNNER_JS, runCli, testEnv } from '../helpers/runnerProcess';
import { waitFor } from '../helpers/wait';

/** `pid (comm) state ppid …` of /proc/<pid>/stat: the state letter and the parent. */
function procStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: state!, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

// Containers, CI sandboxes and some init systems do not reap a dead child at once: until they do, the
// killed runner is a zombie that still answers `kill(pid, 0)`. It holds nothing any more (its socket
// and lock file handle are gone), so the next start must not wait for it.
describe('a killed runner that stays a zombie', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'devrig-state-'));
  const env = { ...testEnv(), DEVRIG_STATE_DIR: stateDir };
  // sh starts the runner in the background, then becomes `sleep`, which never reaps its child.
  const parent = spawn(
    '/bin/sh',
    ['-c', '"$NODE" "$RUNNER_JS" --state-dir "$DEVRIG_STATE_DIR" >/dev/null 2>&1 & exec sleep 600'],
    { env: { ...env, NODE: process.execPath, RUNNER_JS }, stdio: 'ignore' },
  );
  after(async () => {
    await runCli(['runner', 'stop'], env, undefined, 60_000);
    parent.kill('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  });

  test('devrig runner start after kill -9 succeeds in under 5 s', async (t) => {
    const first = await waitFor('the first runner to listen', () =>
      readRunnerInfo(statePaths(stateDir).info),
    );
    assert.equal(procStat(first.pid)?.ppid, parent.pid, 'the runner is the child of the non-reaping parent');
    process.kill(first.pid, 'SIGKILL');
    await waitFor('the killed runner to be a zombie', () => procStat(first.pid)?.state === 'Z');

    const t0 = Date.now();
    const start = await runCli(['runner', 'start', '-o', 'json'], env, undefined, 60_000);
    const took = Date.now() - t0;
    t.diagnostic(`runner start took ${took} ms`);
    assert.equal(start.code, 0, start.stderr);
    const started = JSON.parse(start.stdout) as { pid: number; running: boolean };
    assert.equal(started.running, true);
    assert.notEqual(started.pid, first.pid);
    assert.ok(took < 5000, `runner start took ${took} ms`);
    assert.equal(procStat(first.pid)?.state, 'Z', 'the old one is still an unreaped zombie');

    const status = await runCli(['runner', 'status', '--output', 'json'], env);
    assert.equal(status.code, 0, status.stderr);
    assert.equal((JSON.parse(status.stdout) as { pid: number }).pid, started.pid);
  });
});
