import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Environment } from '../../runner/api';
import { API_VERSION } from '../../runner/api/version';
import { readRunnerInfo } from '../../runner/state/runnerInfo';
import { statePaths } from '../../runner/state/stateDir';
import { BASE_IMAGE, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects, tempDir } from '../helpers/project';
import { cleanupRunner, runCli, startRunner, testEnv, type TestRunner } from '../helpers/runnerProcess';
import { watchUntil } from '../helpers/wait';

// Scripts read devrig's answers as JSON (`-o json`, `--output json`), never by parsing a table.
describe('-o json for scripts', () => {
  let r: TestRunner;
  let folder: string;
  const name = 'scripted';

  before(async () => {
    await requireDocker();
    r = await startRunner();
    folder = makeProject(
      { image: BASE_IMAGE, forwardPorts: [38901] },
      { '.devrig/automations.yaml': 'tasks:\n  hello:\n    command: echo hello\n' },
    );
  });
  after(async () => {
    await cleanupRunner(r);
    removeProjects();
  });

  /** Runs the command (with -o json or --output json) and parses what it printed. */
  const json = async (args: string[], code = 0): Promise<unknown> => {
    const res = await r.cli(args);
    assert.equal(res.code, code, `devrig ${args.join(' ')}: ${res.stderr}`);
    return JSON.parse(res.stdout);
  };

  test('runner status -o json: pid, port and version', async () => {
    const info = (await readRunnerInfo(statePaths(r.stateDir).info))!;
    for (const flag of [['-o', 'json'], ['--output', 'json'], ['--output=json']]) {
      assert.deepEqual(await json(['runner', 'status', ...flag]), {
        running: true,
        pid: r.pid,
        version: r.client.runnerVersion,
        apiVersion: API_VERSION,
        apiVersionMatches: true,
        port: info.port,
        sshPort: info.sshPort,
        startedAt: info.startedAt,
        stateDir: r.stateDir,
      });
    }
    const none = tempDir('devrig-state-');
    const res = await runCli(['runner', 'status', '-o', 'json'], { ...testEnv(), DEVRIG_STATE_DIR: none });
    assert.equal(res.code, 1);
    assert.deepEqual(JSON.parse(res.stdout), { running: false, stateDir: none });
  });

  test('every command that lists or shows something prints JSON with -o json', async () => {
    const up = (await json(['up', folder, '--name', name, '-o', 'json'])) as Record<string, unknown>;
    assert.equal(up.outcome, 'success');
    assert.deepEqual(await json(['version', '-o', 'json']), {
      version: r.client.runnerVersion,
      apiVersion: API_VERSION,
    });
    const listed = (await json(['ls', '--output', 'json'])) as Environment[];
    assert.deepEqual(
      listed.map((e) => e.metadata.name),
      [name],
    );
    assert.equal(((await json(['get', name, '-o', 'json'])) as Environment).metadata.name, name);
    // Ports and automations report in their own status parts, just after Ready.
    await watchUntil(
      r.client,
      name,
      (e) => e.status.ports.length > 0 && e.status.automations.length > 0,
      'to show its port and task',
      30_000,
    );
    const ports = (await json(['ports', name, '-o', 'json'])) as { port: number }[];
    assert.deepEqual(
      ports.map((p) => p.port),
      [38901],
    );
    const automations = (await json(['automations', 'ls', name, '-o', 'json'])) as { id: string }[];
    assert.deepEqual(
      automations.map((a) => a.id),
      ['hello'],
    );
    assert.deepEqual(await json(['host', 'ls', '-o', 'json']), []);
    const set = await r.cli(['secret', 'set', 'API_TOKEN'], { input: 's3cret\n' });
    assert.equal(set.code, 0, set.stderr);
    assert.deepEqual(await json(['secret', 'ls', '-o', 'json']), [{ name: 'API_TOKEN' }]);
    assert.deepEqual(await json(['ssh-key', 'list', '-o', 'json']), []);
    const ssh = (await json(['ssh-config', '-o', 'json'])) as Record<string, unknown>;
    assert.equal(ssh.configFile, `${r.stateDir}/ssh_config`);
    assert.equal(ssh.port, (await readRunnerInfo(statePaths(r.stateDir).info))!.sshPort);
    assert.deepEqual(await json(['config', 'get', '-o', 'json']), {});

    // A format it cannot print is a usage error, not a table a script would then fail to parse.
    const bad = await r.cli(['ports', name, '-o', 'xml']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /-o must be json or yaml, not "xml"/);
  });
});
