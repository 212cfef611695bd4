import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCondition, type Environment } from '../../runner/api';
import { RunnerClient } from '../../runner/client/runnerClient';
import { readRunnerInfo } from '../../runner/state/runnerInfo';
import { statePaths } from '../../runner/state/stateDir';
import { BASE_IMAGE, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects } from '../helpers/project';
import { removeByRunnerId, runCli, testEnv } from '../helpers/runnerProcess';
import { waitFor, watchUntil } from '../helpers/wait';

/** `ssh devrig-<name> true` with OpenSSH and devrig's generated ssh_config, as a user would. */
function ssh(stateDir: string, name: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      'ssh',
      ['-F', join(stateDir, 'ssh_config'), '-o', 'BatchMode=yes', `devrig-${name}`, 'true'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const isReady = (e: Environment) => findCondition(e.status.conditions, 'Ready')?.status === 'True';

// `ssh devrig-<name>` must work the moment `devrig up` returns (and the moment Ready is visible to
// the editor), on a state folder that never held a runner, and even when ssh_config went missing.
describe('ssh_config is in place when an environment is Ready', () => {
  // Not created: `devrig up` starts the runner on a state folder that does not exist yet.
  const stateDir = join(mkdtempSync(join(tmpdir(), 'devrig-cold-')), 'state');
  const env = { ...testEnv(), DEVRIG_STATE_DIR: stateDir };
  const config = join(stateDir, 'ssh_config');
  let folder: string;
  let client: RunnerClient | undefined;

  before(async () => {
    await requireDocker();
    folder = makeProject({ image: BASE_IMAGE, remoteUser: 'vscode' });
  });
  after(async () => {
    client?.close();
    await runCli(['runner', 'stop'], env, undefined, 60_000);
    await removeByRunnerId(stateDir);
    rmSync(join(stateDir, '..'), { recursive: true, force: true });
    removeProjects();
  });

  test('on a cold state folder: up, then at once ssh devrig-<name>', async () => {
    assert.equal(existsSync(stateDir), false);
    const up = await runCli(['up', folder, '--name', 'cold'], env);
    assert.equal(up.code, 0, up.stderr);
    const res = await ssh(stateDir, 'cold');
    assert.equal(res.code, 0, res.stderr);
  });

  test('an ssh_config that went missing is back when up returns', async () => {
    rmSync(config);
    const up = await runCli(['up', folder, '--name', 'cold'], env);
    assert.equal(up.code, 0, up.stderr);
    const res = await ssh(stateDir, 'cold');
    assert.equal(res.code, 0, res.stderr);
  });

  test('the Host block is on disk before Ready is visible', async () => {
    const info = (await readRunnerInfo(statePaths(stateDir).info))!;
    client = await RunnerClient.connect({
      port: info.port,
      token: readFileSync(statePaths(stateDir).token, 'utf8').trim(),
      client: 'test',
    });
    // Its postCreateCommand waits for the test: the environment cannot be Ready before `go` exists.
    const gated = makeProject({
      image: BASE_IMAGE,
      remoteUser: 'vscode',
      postCreateCommand: 'while [ ! -e go ]; do sleep 0.1; done',
    });
    const up = await runCli(['up', gated, '--name', 'gated', '--no-wait'], env);
    assert.equal(up.code, 0, up.stderr);
    await waitFor('gated in ssh_config', () => readFileSync(config, 'utf8').includes('Host devrig-gated\n'));
    // Lost after it was written for the new environment (nothing comes or goes after this).
    rmSync(config);
    let atReady: string | undefined;
    const ready = watchUntil(
      client,
      'gated',
      (e) => {
        if (!isReady(e)) return false;
        atReady = existsSync(config) ? readFileSync(config, 'utf8') : '(missing)';
        return true;
      },
      'to be Ready',
      120_000,
    );
    writeFileSync(join(gated, 'go'), '');
    await ready;
    assert.match(atReady!, /Host devrig-gated\n/);
    assert.match(atReady!, /Host devrig-cold\n/);
    const res = await ssh(stateDir, 'gated');
    assert.equal(res.code, 0, res.stderr);
  });
});
