// Features on a Compose dev service (issue 14 with issue 13): the dev service's image gets the
// Feature installed, its option and _REMOTE_USER, and its postCreate hook runs before devcontainer.json's.
// Real runner, real Compose v2, real Docker; only what this file creates is touched.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Environment } from '../../runner/api';
import { composeDownProject, projectServices } from '../helpers/compose';
import { BASE_IMAGE, requireDocker } from '../helpers/docker';
import { removeProjects, tempDir } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { waitForDeleted, waitForPhase } from '../helpers/wait';

const NAME = 'composefeat';

function makeComposeProject(suffix = '', feature: Record<string, unknown> = {}): string {
  const folder = join(tempDir('devrig-compose-'), `devrig-cfeat${suffix}-${process.pid}`);
  const dc = join(folder, '.devcontainer');
  mkdirSync(join(dc, 'mine'), { recursive: true });
  writeFileSync(
    join(dc, 'docker-compose.yml'),
    `services:\n  dev:\n    image: ${BASE_IMAGE}\n    command: sleep infinity\n    volumes:\n      - ..:/workspace\n`,
  );
  writeFileSync(
    join(dc, 'devcontainer.json'),
    JSON.stringify({
      dockerComposeFile: 'docker-compose.yml',
      service: 'dev',
      workspaceFolder: '/workspace',
      remoteUser: 'vscode',
      features: { './mine': { word: 'compose' } },
      postCreateCommand: 'echo config >> /tmp/post-create-order.txt',
    }),
  );
  writeFileSync(
    join(dc, 'mine', 'devcontainer-feature.json'),
    JSON.stringify({
      id: 'mine',
      version: '1.0.0',
      options: { word: { type: 'string', default: 'one' } },
      postCreateCommand: 'echo mine >> /tmp/post-create-order.txt',
      ...feature,
    }),
  );
  writeFileSync(
    join(dc, 'mine', 'install.sh'),
    '#!/bin/sh\nset -e\necho "mine ${WORD} ${_REMOTE_USER}" > /usr/local/share/mine.txt\n',
    { mode: 0o755 },
  );
  return folder;
}

describe('Features on a Compose dev service', () => {
  let r: TestRunner;
  let folder: string;
  let project = '';

  before(async () => {
    await requireDocker();
    folder = makeComposeProject();
    r = await startRunner();
  });
  after(async () => {
    await cleanupRunner(r);
    if (project) await composeDownProject(project);
    removeProjects();
  });

  test('up: the Feature is installed in the dev service with its option; its hook runs before the config’s', async () => {
    const res = await r.cli(['up', folder, '--name', NAME], { timeoutMs: 600_000 });
    assert.equal(res.code, 0, `${res.stdout}\n${res.stderr}\n${r.log().slice(-3000)}`);
    const env = await waitForPhase(r.client, NAME, 'Running');
    project = env.status.composeProject ?? '';
    assert.ok(project, 'status names the Compose project');
    const exec = await r.cli([
      'exec',
      NAME,
      '--',
      'sh',
      '-c',
      'cat /usr/local/share/mine.txt /tmp/post-create-order.txt; id -un',
    ]);
    assert.equal(exec.code, 0, exec.stderr);
    assert.deepEqual(exec.stdout.trim().split('\n'), ['mine compose vscode', 'mine', 'config', 'vscode']);
    assert.deepEqual(await projectServices(project), { dev: 'running' });

    const gone = waitForDeleted(r.client, NAME, 120_000);
    assert.equal((await r.cli(['delete', NAME])).code, 0);
    await gone;
    assert.deepEqual(await projectServices(project), {});
  });

  test('a Feature asking for privileged on the dev service needs consent, naming the Feature; nothing starts', async () => {
    const privFolder = makeComposeProject('-priv', { privileged: true });
    const refused = await r.cli(['up', privFolder, '--name', 'composepriv'], { timeoutMs: 600_000 });
    assert.notEqual(refused.code, 0);
    const env = (await r.client.call('get', { kind: 'Environment', name: 'composepriv' })) as Environment;
    const condition = env.status.conditions.find((c) => c.type === 'HostAccessAllowed');
    assert.equal(condition?.reason, 'ConsentRequired', JSON.stringify(env.status.conditions));
    assert.match(condition?.message ?? '', /mine/);
    const privProject = env.status.composeProject ?? '';
    if (privProject)
      assert.deepEqual(await projectServices(privProject), {}, 'no service container was made');
    const gone = waitForDeleted(r.client, 'composepriv', 120_000);
    assert.equal((await r.cli(['delete', 'composepriv'])).code, 0);
    await gone;
  });
});
