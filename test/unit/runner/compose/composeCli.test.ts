// Finding Compose v2 and naming the project: table tests with a fake process runner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ComposeUnavailableError,
  composeProjectName,
  findComposeCli,
  parseComposeVersion,
  ProgramNotFoundError,
  type ProcessRunner,
  type ProjectNameInputs,
} from '../../../../runner/compose';

/** A runner that answers `<program> [compose] version --short` from a table; absent programs are not found. */
function fakeRunner(answers: Record<string, { code: number; stdout?: string; stderr?: string }>): {
  run: ProcessRunner;
  calls: string[];
} {
  const calls: string[] = [];
  const run: ProcessRunner = async (command, args) => {
    const line = [command, ...args].join(' ');
    calls.push(line);
    const answer = answers[command];
    if (!answer) throw new ProgramNotFoundError(command);
    return { code: answer.code, stdout: answer.stdout ?? '', stderr: answer.stderr ?? '' };
  };
  return { run, calls };
}

test('Compose versions as the programs print them', () => {
  assert.deepEqual(parseComposeVersion('2.26.1-4\n'), { major: 2, minor: 26, patch: 1 });
  assert.deepEqual(parseComposeVersion('v2.29.7'), { major: 2, minor: 29, patch: 7 });
  assert.deepEqual(parseComposeVersion('1.29.2'), { major: 1, minor: 29, patch: 2 });
  assert.equal(parseComposeVersion('unknown'), undefined);
});

test('the docker CLI plugin is preferred', async () => {
  const { run, calls } = fakeRunner({
    docker: { code: 0, stdout: '2.26.1-4\n' },
    'docker-compose': { code: 0, stdout: '2.20.0' },
  });
  assert.deepEqual(await findComposeCli({ run }), {
    command: 'docker',
    args: ['compose'],
    version: '2.26.1-4',
    kind: 'plugin',
  });
  assert.deepEqual(calls, ['docker compose version --short']);
});

test('a standalone docker-compose v2 is the fallback when the plugin is missing', async () => {
  const { run } = fakeRunner({
    docker: { code: 1, stderr: "docker: 'compose' is not a docker command.\nSee 'docker --help'" },
    'docker-compose': { code: 0, stdout: 'v2.24.0' },
  });
  const cli = await findComposeCli({ run });
  assert.equal(cli.command, 'docker-compose');
  assert.deepEqual(cli.args, []);
  assert.equal(cli.version, '2.24.0');
});

test('Compose v1 is refused by name, with what was tried', async () => {
  const { run } = fakeRunner({
    docker: { code: 1, stderr: "'compose' is not a docker command." },
    'docker-compose': { code: 0, stdout: '1.29.2' },
  });
  await assert.rejects(findComposeCli({ run }), (e: unknown) => {
    assert.ok(e instanceof ComposeUnavailableError);
    assert.equal(e.reason, 'ComposeUnsupported');
    assert.match(e.message, /only Docker Compose v1 was found/);
    assert.match(e.message, /docker-compose: Compose v1 \(1\.29\.2\)/);
    return true;
  });
});

test('no Compose at all is a clear ComposeNotFound naming both attempts and the setting', async () => {
  const { run } = fakeRunner({});
  await assert.rejects(findComposeCli({ run }), (e: unknown) => {
    assert.ok(e instanceof ComposeUnavailableError);
    assert.equal(e.reason, 'ComposeNotFound');
    assert.equal(
      e.message,
      'Docker Compose v2 was not found (docker compose: not found; docker-compose: not found); install the docker compose plugin or a docker-compose v2 binary, or name it with `devrig config set compose.path PATH`',
    );
    return true;
  });
});

test('a configured program is the only one tried: a docker CLI means its plugin', async () => {
  const plugin = fakeRunner({ '/opt/docker/bin/docker': { code: 0, stdout: '2.30.0' } });
  const cli = await findComposeCli({ configured: '/opt/docker/bin/docker', run: plugin.run });
  assert.deepEqual([cli.command, cli.args, cli.kind], ['/opt/docker/bin/docker', ['compose'], 'plugin']);
  const standalone = fakeRunner({ docker: { code: 0, stdout: '2.26.0' } });
  await assert.rejects(
    findComposeCli({ configured: '/opt/compose', run: standalone.run }),
    /Docker Compose v2 was not found \(\/opt\/compose: not found\)/,
  );
  assert.deepEqual(standalone.calls, ['/opt/compose version --short']);
});

test('project names as the reference derives them', () => {
  const base: ProjectNameInputs = {
    filesDeclareName: false,
    workspaceFolder: '/src/My App',
    firstComposeFile: '/src/My App/.devcontainer/docker-compose.yml',
    composeName: 'devcontainer',
  };
  const cases: [Partial<ProjectNameInputs>, string][] = [
    [{}, 'myapp_devcontainer'],
    [{ envProjectName: 'From.Env' }, 'fromenv'],
    [{ workspaceDotEnv: 'A=1\nCOMPOSE_PROJECT_NAME=Dot_Env \n' }, 'dot_env'],
    [{ workspaceDotEnv: 'COMPOSE_PROJECT_NAME=' }, 'myapp_devcontainer'],
    [{ composeName: 'named-in-file' }, 'named-in-file'],
    // `name: devcontainer` written in a file counts; derived from the folder it does not.
    [{ filesDeclareName: true }, 'devcontainer'],
    [{ firstComposeFile: '/src/My App/docker-compose.yml', composeName: 'myapp' }, 'myapp'],
    [{ firstComposeFile: '/elsewhere/Compose Files/c.yml', composeName: undefined }, 'composefiles'],
  ];
  for (const [over, expected] of cases) {
    assert.equal(composeProjectName({ ...base, ...over }), expected, JSON.stringify(over));
  }
});
