import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findCondition, type Environment } from '../../runner/api';
import { BASE_IMAGE, inspect, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects } from '../helpers/project';
import { cleanupRunner, runCli, startRunner, testEnv, type TestRunner } from '../helpers/runnerProcess';
import { watchUntil } from '../helpers/wait';

const TOKEN = 'tok-3c1f9a7e55d2';

// `${localEnv:X}` is the environment of whoever asked (the shell running `devrig up`, the VS Code
// window), as with the reference CLI, not that of the runner, which may have been started by another
// shell or window, and restarted from yet another.
describe('${localEnv:…} comes from the caller, not from the runner', () => {
  let r: TestRunner;
  let folder: string;
  const name = 'localenv';
  /** A shell of the user's: its own variables, none of the runner's. */
  const shell = (vars: Record<string, string>) => ({ ...testEnv(), DEVRIG_STATE_DIR: r.stateDir, ...vars });
  const get = async () => (await r.client.call('get', { kind: 'Environment', name })) as Environment;
  const printenv = async () => {
    const res = await r.cli(['exec', name, '--', 'sh', '-c', 'echo "$FOO|$WHO|$REMOTE"']);
    assert.equal(res.code, 0, res.stderr);
    return res.stdout.trim();
  };

  before(async () => {
    await requireDocker();
    // The runner is started from one environment...
    r = await startRunner({ env: { DEVRIG_T_FOO: 'from-the-runner', DEVRIG_T_WHO: 'runner' } });
    folder = makeProject({
      image: BASE_IMAGE,
      remoteUser: 'vscode',
      containerEnv: { FOO: '${localEnv:DEVRIG_T_FOO}', WHO: '${localEnv:DEVRIG_T_WHO:nobody}' },
      remoteEnv: { REMOTE: '${localEnv:DEVRIG_T_FOO}' },
      postCreateCommand: 'echo "logged in with ${localEnv:DEVRIG_T_TOKEN}"',
    });
  });
  after(async () => {
    await cleanupRunner(r);
    removeProjects();
  });

  test('up from a shell with other values: the container sees the caller’s', async () => {
    // ...and `up` runs from a shell with other values (and without DEVRIG_T_WHO at all).
    const up = await runCli(
      ['up', folder, '--name', name],
      shell({ DEVRIG_T_FOO: 'from-the-caller', DEVRIG_T_TOKEN: TOKEN, UNRELATED: 'x' }),
    );
    assert.equal(up.code, 0, up.stderr);
    assert.equal(await printenv(), 'from-the-caller|nobody|from-the-caller');
    const env = await get();
    // Exactly the variables the config references, as the caller had them.
    assert.deepEqual(env.spec.localEnv, { DEVRIG_T_FOO: 'from-the-caller', DEVRIG_T_TOKEN: TOKEN });
    assert.equal(findCondition(env.status.conditions, 'UpToDate')?.status, 'True');
  });

  test('a secret-looking value stays out of logs and labels', async () => {
    const logs = await r.cli(['logs', name]);
    assert.match(logs.stdout, /logged in with \*\*\*/);
    assert.ok(!logs.stdout.includes(TOKEN), 'not in the environment log');
    assert.ok(!r.log().includes(TOKEN), 'not in the runner log');
    const labels = (await inspect((await get()).status.containerId!)).Config.Labels;
    assert.ok(!JSON.stringify(labels).includes(TOKEN), 'not in the container labels');
  });

  test('a runner restarted from a third environment leaves it UpToDate, the container untouched', async () => {
    const before = await get();
    const id = before.status.containerId!;
    const startedAt = (await inspect(id)).State.StartedAt;
    await r.kill('SIGKILL');
    const stateDir = r.stateDir;
    r = await startRunner({
      stateDir,
      env: { DEVRIG_T_FOO: 'from-a-third-shell', DEVRIG_T_WHO: 'third', DEVRIG_T_TOKEN: 'other' },
    });
    // A spec change that does not touch the container: proof the new runner reconciled it.
    const applied = await r.client.call('apply', {
      resource: { kind: 'Environment', metadata: { name }, spec: { ...before.spec, startOnConnect: true } },
    });
    const env = await watchUntil(
      r.client,
      name,
      (e) => e.status.observedGeneration >= applied.metadata.generation && e.status.phase === 'Running',
      'to be reconciled by the new runner',
      60_000,
    );
    assert.deepEqual(
      [
        findCondition(env.status.conditions, 'UpToDate')?.status,
        findCondition(env.status.conditions, 'UpToDate')?.reason,
      ],
      ['True', 'InSync'],
    );
    assert.equal(env.status.containerId, id);
    assert.equal((await inspect(id)).State.StartedAt, startedAt, 'not restarted');
    assert.equal(await printenv(), 'from-the-caller|nobody|from-the-caller');
  });

  test('up from a shell with changed values reports the drift; rebuild applies them', async () => {
    const id = (await get()).status.containerId!;
    const up = await runCli(
      ['up', folder, '--name', name],
      shell({ DEVRIG_T_FOO: 'changed', DEVRIG_T_TOKEN: TOKEN }),
    );
    assert.equal(up.code, 0, up.stderr);
    const drift = await get();
    assert.equal(drift.status.containerId, id, 'not recreated behind the user’s back');
    assert.equal(findCondition(drift.status.conditions, 'UpToDate')?.reason, 'ConfigChanged');
    const rebuild = await r.cli(['rebuild', name]);
    assert.equal(rebuild.code, 0, rebuild.stderr);
    assert.equal(await printenv(), 'changed|nobody|changed');
    assert.equal(findCondition((await get()).status.conditions, 'UpToDate')?.status, 'True');
  });
});
