// The Compose command lines ComposeProject runs, with a fake process runner (the integration test
// runs them for real).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ComposeCommandError,
  ComposeProject,
  composeOverride,
  parseComposeModel,
  readComposeModel,
  type ComposeCli,
  type ProcessRunner,
} from '../../../../runner/compose';
import { removeProjects, tempDir } from '../../../helpers/project';

after(removeProjects);

const cli: ComposeCli = { command: 'docker', args: ['compose'], version: '2.26.1', kind: 'plugin' };

function recorder(answer: { code: number; stdout?: string; stderr?: string } = { code: 0 }) {
  const calls: { args: string[]; env?: NodeJS.ProcessEnv; cwd?: string }[] = [];
  const run: ProcessRunner = async (_command, args, opts) => {
    calls.push({ args: [...args], env: opts?.env, cwd: opts?.cwd });
    return { code: answer.code, stdout: answer.stdout ?? '{"services":{}}', stderr: answer.stderr ?? '' };
  };
  return { run, calls };
}

function setup(answer?: Parameters<typeof recorder>[0]) {
  const root = tempDir('devrig-compose-project-');
  const files = [join(root, 'a.yml'), join(root, 'b.yml')];
  for (const f of files) writeFileSync(f, 'services: {}\n');
  const { run, calls } = recorder(answer);
  const options = {
    cli,
    projectName: 'proj',
    files,
    stateDir: join(root, 'state', 'uid'),
    dockerHost: 'unix:///state/engine.sock',
    env: { PATH: '/bin', DOCKER_HOST: 'tcp://elsewhere', DOCKER_CONTEXT: 'ctx' },
    run,
  };
  return { root, files, project: new ComposeProject(options), options, calls };
}

test('every command names the project and the files, then the override once written', async () => {
  const { files, project, calls, root } = setup();
  await project.readConfig();
  await project.writeOverride(
    composeOverride({
      model: parseComposeModel('{"services":{"dev":{}}}'),
      devService: 'dev',
      labels: {},
      dev: { containerEnv: {}, mounts: [], overrideCommand: false, labels: {} },
    }),
  );
  assert.equal(statSync(project.overrideFile).mode & 0o777, 0o600);
  assert.equal(statSync(join(root, 'state', 'uid')).mode & 0o777, 0o700);
  await project.build(['dev'], { noCache: true });
  await project.up(['db', 'dev']);
  await project.up(['dev'], { recreate: 'changed' });
  await project.up(['dev'], { recreate: 'force' });
  await project.stop({ timeoutSeconds: 5 });
  await project.start();
  await project.down({ volumes: true, removeImages: true });
  const f = ['-p', 'proj', '-f', files[0]!, '-f', files[1]!];
  const o = [...f, '-f', project.overrideFile];
  assert.deepEqual(
    calls.map((c) => c.args),
    [
      ['compose', ...f, '--profile', '*', 'config', '--format', 'json'],
      ['compose', ...o, 'build', '--no-cache', 'dev'],
      ['compose', ...o, 'up', '--detach', '--no-recreate', 'db', 'dev'],
      ['compose', ...o, 'up', '--detach', 'dev'],
      ['compose', ...o, 'up', '--detach', '--force-recreate', 'dev'],
      ['compose', ...o, 'stop', '--timeout', '5'],
      ['compose', ...o, 'start'],
      ['compose', ...o, 'down', '--remove-orphans', '--volumes', '--rmi', 'local'],
    ],
  );
  for (const c of calls) {
    assert.equal(
      c.env?.DOCKER_HOST,
      'unix:///state/engine.sock',
      'the forwarded engine, not the environment one',
    );
    assert.equal(c.env?.DOCKER_CONTEXT, undefined);
    assert.equal(c.env?.PATH, '/bin');
    assert.equal(c.cwd, root, "the first file's folder (the project folder)");
  }
});

test('down works from the project name alone when the files are gone', async () => {
  const { options, calls } = setup();
  const gone = new ComposeProject({ ...options, files: ['/nonexistent/compose.yml'] });
  await gone.down();
  assert.deepEqual(calls.at(-1)?.args, ['compose', '-p', 'proj', 'down', '--remove-orphans']);
});

test('a failing command is a ComposeCommandError with the end of what Compose said', async () => {
  const { project } = setup({
    code: 1,
    stderr: 'pulling...\nservice "dev" refers to undefined volume cache: invalid compose project\n',
  });
  await assert.rejects(project.up(['dev']), (e: unknown) => {
    assert.ok(e instanceof ComposeCommandError);
    assert.equal(e.exitCode, 1);
    assert.equal(
      e.message,
      'docker compose up failed (exit code 1): pulling... | service "dev" refers to undefined volume cache: invalid compose project',
    );
    return true;
  });
});

test('the model is read without a project name (Compose derives or the files set it), every profile in', async () => {
  const { run, calls } = recorder({
    code: 0,
    stdout: '{"name":"devcontainer","services":{"a":{"image":"x"}}}',
  });
  const model = await readComposeModel(cli, ['/p/.devcontainer/a.yml'], { run, env: {} });
  assert.equal(model.name, 'devcontainer');
  assert.deepEqual(calls[0]?.args, [
    'compose',
    '-f',
    '/p/.devcontainer/a.yml',
    '--profile',
    '*',
    'config',
    '--format',
    'json',
  ]);
  assert.equal(calls[0]?.cwd, '/p/.devcontainer');
});
