// The Docker Compose side of devcontainer.json, as resolveDevcontainer reads it with allowCompose.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, resolveDevcontainer } from '../../../../runner/devcontainer';
import { removeProjects, tempDir } from '../../../helpers/project';

after(removeProjects);

function project(files: Record<string, string>): string {
  const root = tempDir('devrig-compose-resolve-');
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

const resolve = (folder: string, allowCompose = true) =>
  resolveDevcontainer({ folder, localEnv: { HOME: '/home/ann' }, devcontainerId: 'id', allowCompose });

async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

test('a Compose config resolves its files, service and runServices with the reference defaults', async () => {
  const folder = project({
    '.devcontainer/devcontainer.json': JSON.stringify({
      dockerComposeFile: ['docker-compose.yml', '../compose.extra.yml'],
      service: 'app',
      runServices: ['db', 'db'],
      forwardPorts: [3000, 'localhost:8080', 'db:5432'],
      containerEnv: { A: '1' },
      remoteUser: 'vscode',
    }),
    '.devcontainer/docker-compose.yml': 'services: {}',
    'compose.extra.yml': 'services: {}',
  });
  const r = await resolve(folder);
  assert.deepEqual(r.compose, {
    files: [path.join(folder, '.devcontainer/docker-compose.yml'), path.join(folder, 'compose.extra.yml')],
    service: 'app',
    runServices: ['db'],
    shutdownAction: 'stopCompose',
    servicePorts: [{ service: 'db', port: 5432 }],
  });
  assert.equal(r.image, undefined);
  assert.equal(r.build, undefined);
  assert.equal(r.workspaceFolder, '/');
  assert.equal(r.workspaceMount, undefined);
  assert.equal(r.overrideCommand, false);
  assert.equal(r.shutdownAction, 'stopCompose');
  assert.deepEqual(r.forwardPorts, [3000, 8080]);
  assert.deepEqual(r.containerEnv, { A: '1' });
  assert.deepEqual(r.warnings, []);
});

test('a single file, shutdownAction none, overrideCommand and workspaceFolder as written', async () => {
  const folder = project({
    '.devcontainer.json': JSON.stringify({
      dockerComposeFile: 'compose.yml',
      service: 'dev',
      runServices: [],
      shutdownAction: 'none',
      overrideCommand: true,
      workspaceFolder: '/workspaces/${localWorkspaceFolderBasename}',
    }),
    'compose.yml': 'services: {}',
  });
  const r = await resolve(folder);
  assert.deepEqual(r.compose?.files, [path.join(folder, 'compose.yml')]);
  assert.equal(r.compose?.runServices, undefined, 'an empty runServices means every service');
  assert.equal(r.compose?.shutdownAction, 'none');
  assert.equal(r.overrideCommand, true);
  assert.equal(r.workspaceFolder, `/workspaces/${path.basename(folder)}`);
});

test('single-container properties are reported as ignored for Compose, at their keys', async () => {
  const folder = project({
    '.devcontainer.json':
      '{\n  "dockerComposeFile": "c.yml",\n  "service": "app",\n  "image": "x",\n  "runArgs": ["--init"],\n' +
      '  "appPort": 3000,\n  "workspaceMount": "type=bind,source=/a,target=/b",\n  "shutdownAction": "stopContainer"\n}',
    'c.yml': 'services: {}',
  });
  const r = await resolve(folder);
  assert.deepEqual(
    r.warnings.map((w) => [w.property, w.line]),
    [
      ['image', 4],
      ['runArgs', 5],
      ['appPort', 6],
      ['workspaceMount', 7],
      ['shutdownAction', 8],
    ],
  );
  assert.equal(r.runArgs.options.init, undefined, 'runArgs do not apply');
  assert.equal(r.appPorts, undefined);
  assert.equal(r.shutdownAction, 'stopCompose');
});

test('a missing Compose file is Invalid at its array entry', async () => {
  const folder = project({
    '.devcontainer.json':
      '{\n  "dockerComposeFile": [\n    "a.yml",\n    "nope.yml"\n  ],\n  "service": "x"\n}',
    'a.yml': 'services: {}',
  });
  const error = await rejection(resolve(folder));
  assert.equal(
    error.message,
    `${path.join(folder, '.devcontainer.json')}:4:5: Compose file ${path.join(folder, 'nope.yml')} does not exist`,
  );
  assert.equal(error.property, 'dockerComposeFile[1]');
});

test('no service, or no file, is Invalid with a position', async () => {
  const noService = project({ '.devcontainer.json': '{\n  "dockerComposeFile": "a.yml"\n}', 'a.yml': '' });
  assert.equal(
    (await rejection(resolve(noService))).message,
    `${path.join(noService, '.devcontainer.json')}:2:3: "service" is required with "dockerComposeFile": name the service to work in`,
  );
  const empty = project({ '.devcontainer.json': '{ "dockerComposeFile": [], "service": "a" }' });
  assert.equal(
    (await rejection(resolve(empty))).message,
    `${path.join(empty, '.devcontainer.json')}:1:24: "dockerComposeFile" must name a Compose file`,
  );
});

test('without allowCompose a Compose config is still refused (the reconciler has no Compose step yet)', async () => {
  const folder = project({
    '.devcontainer.json': '{ "dockerComposeFile": "a.yml", "service": "a" }',
    'a.yml': '',
  });
  const error = await rejection(resolve(folder, false));
  assert.match(error.message, /Docker Compose configurations \(dockerComposeFile\) are not supported/);
});

test('waitFor, userEnvProbe, updateRemoteUserUID and appPort are kept as written (defaults applied later)', async () => {
  const folder = project({
    '.devcontainer.json': JSON.stringify({
      image: 'x',
      waitFor: 'postCreateCommand',
      userEnvProbe: 'none',
      updateRemoteUserUID: false,
      appPort: [3000],
    }),
  });
  const r = await resolve(folder);
  assert.equal(r.waitFor, 'postCreateCommand');
  assert.equal(r.userEnvProbe, 'none');
  assert.equal(r.updateRemoteUserUID, false);
  assert.deepEqual(r.appPorts, [
    { hostIp: '127.0.0.1', hostPort: 3000, containerPort: 3000, protocol: 'tcp' },
  ]);
  const plain = await resolve(project({ '.devcontainer.json': '{ "image": "x" }' }));
  for (const key of ['waitFor', 'userEnvProbe', 'updateRemoteUserUID', 'appPorts', 'compose'] as const) {
    assert.equal(
      key in plain,
      false,
      `${key} is absent when not written, so existing config hashes stay the same`,
    );
  }
});
