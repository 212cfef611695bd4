import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { statePaths } from '../../runner/state/stateDir';
import { BASE_IMAGE, docker, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects } from '../helpers/project';
import { cleanupRunner, startRunner, type CliResult, type TestRunner } from '../helpers/runnerProcess';
import { watchUntil } from '../helpers/wait';

const USER_SECRET = 'user-s3cret-7f2a9c';
const ENV_SECRET = 'env-only-s3cret-41d8e0';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** Every file under `dir` (recursively), but `except`. */
function filesUnder(dir: string, except: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (p === except) continue;
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, except));
    else out.push(p);
  }
  return out;
}

// Secrets reach the processes of an environment as variables, and nothing else: not the
// container's configuration, not logs, not the status, not the CLI's output.
describe('secrets on a real Docker engine', () => {
  let r: TestRunner;
  let folder: string;
  const name = 'sec';
  const outputs: CliResult[] = [];
  const cli = async (args: string[], input?: string) => {
    const res = await r.cli(args, { input });
    outputs.push(res);
    return res;
  };

  before(async () => {
    await requireDocker();
    r = await startRunner();
    folder = makeProject(
      {
        image: BASE_IMAGE,
        remoteUser: 'vscode',
        postCreateCommand:
          'echo "postCreate sees $API_TOKEN"; printf %s "$API_TOKEN" | sha256sum > /tmp/lifecycle.sha',
      },
      {
        '.devrig/automations.yaml': [
          'services:',
          '  echoer:',
          '    commands:',
          '      start: echo "service sees $API_TOKEN and $DB_PASS"; printf %s "$DB_PASS" | sha256sum > /tmp/service.sha; exec sleep 1000',
          'tasks:',
          '  leak:',
          '    command: echo "task sees $API_TOKEN"; exit 1',
          '    triggeredBy: [postEnvironmentStart]',
        ].join('\n'),
      },
    );
  });
  after(async () => {
    await cleanupRunner(r);
    removeProjects();
  });

  test('devrig secret set reads the value from stdin; ls shows names only', async () => {
    const set = await cli(['secret', 'set', 'API_TOKEN'], `${USER_SECRET}\n`);
    assert.equal(set.code, 0, set.stderr);
    const setEnv = await cli(['secret', 'set', 'DB_PASS', '--env', name], ENV_SECRET);
    assert.equal(setEnv.code, 0, setEnv.stderr);
    const ls = await cli(['secret', 'ls']);
    assert.match(ls.stdout, /^API_TOKEN\s+\(all\)$/m);
    assert.match(ls.stdout, new RegExp(`^DB_PASS\\s+${name}$`, 'm'));
    const file = statePaths(r.stateDir).secrets;
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const rm = await cli(['secret', 'set', 'GONE'], 'temporary-value');
    assert.equal(rm.code, 0);
    assert.equal((await cli(['secret', 'rm', 'GONE'])).code, 0);
    assert.doesNotMatch((await cli(['secret', 'ls'])).stdout, /GONE/);
  });

  test('sessions, lifecycle commands and automations get the values as environment variables', async () => {
    const up = await cli(['up', folder, '--name', name]);
    assert.equal(up.code, 0, up.stderr);
    await watchUntil(
      r.client,
      name,
      (e) =>
        e.status.automations.some((a) => a.id === 'echoer' && a.phase === 'Ready') &&
        e.status.automations.some((a) => a.id === 'leak' && a.phase === 'Failed'),
      'to run its automations',
      30_000,
    );
    // Compared by hash: the test itself never prints a value.
    const session = await r.cli([
      'exec',
      name,
      '--',
      'sh',
      '-c',
      'printf %s "$API_TOKEN" | sha256sum; printf %s "$DB_PASS" | sha256sum; cat /tmp/lifecycle.sha /tmp/service.sha',
    ]);
    assert.equal(session.code, 0, session.stderr);
    const hashes = session.stdout.split('\n').map((l) => l.split(' ')[0]);
    assert.deepEqual(hashes.slice(0, 4), [
      sha(USER_SECRET),
      sha(ENV_SECRET),
      sha(USER_SECRET),
      sha(ENV_SECRET),
    ]);
  });

  test('the values are nowhere else: inspect, labels, logs, status, CLI output', async () => {
    // What users look at, through the CLI.
    for (const args of [
      ['get', name, '-o', 'json'],
      ['get', name],
      ['ls'],
      ['logs', name],
      ['automations', 'ls', name],
      ['automations', 'logs', name, 'echoer'],
      ['automations', 'logs', name, 'leak'],
      ['ports', name],
    ]) {
      const res = await cli(args);
      assert.equal(res.code, 0, `${args.join(' ')}: ${res.stderr}`);
    }
    const logs = outputs.find((o) => o.stdout.includes('postCreate sees'))!;
    assert.match(logs.stdout, /postCreate sees \*\*\*/, 'lifecycle output is redacted, not dropped');
    assert.ok(outputs.some((o) => /service sees \*\*\* and \*\*\*/.test(o.stdout)));

    const env = await r.client.call('get', { kind: 'Environment', name });
    assert.equal(env.kind, 'Environment');
    assert.match(env.status.automations.find((a) => a.id === 'leak')?.logTail ?? '', /task sees \*\*\*/);
    const container = await docker.getContainer(env.status.containerId!).inspect();
    const execs = await Promise.all(
      (container.ExecIDs ?? []).map((id) =>
        docker
          .getExec(id)
          .inspect()
          .catch(() => ({})),
      ),
    );
    assert.ok(execs.length > 0, 'the running service has an exec to look at');

    const places: Record<string, string> = {
      'docker inspect (env, labels, config)': JSON.stringify(container),
      'docker exec inspect': JSON.stringify(execs),
      status: JSON.stringify(env),
      'runner output': r.log(),
      'CLI output': outputs.map((o) => o.stdout + o.stderr).join('\n'),
    };
    const secretsFile = statePaths(r.stateDir).secrets;
    for (const f of filesUnder(r.stateDir, secretsFile)) places[f] = readFileSync(f, 'latin1');
    assert.ok(
      Object.keys(places).some((p) => p.endsWith('.log')),
      'log files are among the places',
    );
    for (const [where, text] of Object.entries(places)) {
      for (const secret of [USER_SECRET, ENV_SECRET]) {
        assert.ok(!text.includes(secret), `a secret value is in ${where}`);
      }
    }
  });
});
