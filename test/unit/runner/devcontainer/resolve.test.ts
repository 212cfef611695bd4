import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  ConfigError,
  formatWarning,
  resolveDevcontainer,
  type ResolveDevcontainerInput,
} from '../../../../runner/devcontainer';
import { removeProjects, tempDir } from '../../../helpers/project';

after(removeProjects);

const FIXTURE = path.resolve(import.meta.dirname, '../../../fixtures/devcontainer/node-app');

/** A temp project folder with the given files. */
function project(files: Record<string, string>): string {
  const root = tempDir('devrig-resolve-');
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

function input(folder: string, extra: Partial<ResolveDevcontainerInput> = {}): ResolveDevcontainerInput {
  return { folder, localEnv: { HOME: '/home/ann' }, devcontainerId: 'id42', ...extra };
}

async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

test('the node-app fixture resolves every property', async () => {
  const resolved = await resolveDevcontainer(
    input(FIXTURE, { localEnv: { HOME: '/home/ann', NODE_VERSION: '22' } }),
  );
  const configFile = path.join(FIXTURE, '.devcontainer/devcontainer.json');
  assert.equal(resolved.configFile, configFile);
  assert.equal(resolved.configFolder, path.join(FIXTURE, '.devcontainer'));
  assert.equal(resolved.name, 'node-app');
  assert.equal(resolved.image, undefined);
  assert.deepEqual(resolved.build, {
    dockerfile: path.join(FIXTURE, '.devcontainer/Dockerfile'),
    context: FIXTURE,
    args: { NODE_VERSION: '22' },
    target: 'dev',
    cacheFrom: ['ghcr.io/example/node-app:cache'],
  });
  assert.equal(resolved.workspaceFolder, '/work/node-app');
  assert.deepEqual(resolved.workspaceMount, {
    type: 'bind',
    source: FIXTURE,
    target: '/work/node-app',
    readOnly: false,
  });
  assert.deepEqual(resolved.mounts, [
    {
      type: 'volume',
      source: 'node-app-modules-id42',
      target: '/work/node-app/node_modules',
      readOnly: false,
    },
    { type: 'bind', source: '/home/ann/.npmrc', target: '/home/node/.npmrc', readOnly: true },
  ]);
  assert.deepEqual(resolved.containerEnv, { APP_ENV: 'development' });
  assert.deepEqual(resolved.remoteEnv, { PATH: '${containerEnv:PATH}:/work/bin' });
  assert.deepEqual(resolved.remoteEnvUnset, ['NPM_TOKEN']);
  assert.equal(resolved.remoteUser, 'node');
  assert.equal(resolved.containerUser, undefined);
  assert.equal(resolved.runArgs.options.init, true);
  assert.equal(resolved.runArgs.options.shmSize, 1024 ** 3);
  assert.deepEqual(resolved.forwardPorts, [3000, 9229]);
  assert.deepEqual(resolved.portsAttributes, { '3000': { label: 'web', onAutoForward: 'openBrowser' } });
  assert.deepEqual(resolved.otherPortsAttributes, { onAutoForward: 'silent' });
  assert.deepEqual(resolved.lifecycle, {
    initializeCommand: [],
    onCreateCommand: [{ name: 'onCreateCommand', shell: 'npm ci' }],
    updateContentCommand: [],
    postCreateCommand: [{ name: 'postCreateCommand', argv: ['npm', 'run', 'prepare'] }],
    postStartCommand: [
      { name: 'watch', shell: 'npm run watch' },
      { name: 'types', argv: ['npx', 'tsc', '-w'] },
    ],
    postAttachCommand: [],
  });
  assert.equal(resolved.overrideCommand, true);
  assert.equal(resolved.shutdownAction, 'stopContainer');
  assert.deepEqual(resolved.hostRequirements, { cpus: 2, memory: 4 * 1024 ** 3, storage: 32 * 1024 ** 3 });
  assert.deepEqual(resolved.customizations, {
    vscode: { extensions: ['dbaeumer.vscode-eslint'], settings: { 'editor.formatOnSave': true } },
  });
  assert.equal(resolved.init, false);
  assert.equal(resolved.privileged, false);
  assert.deepEqual(resolved.warnings.map(formatWarning), [
    `${configFile}:24:3: runArgs: --publish is not supported by devrig and was ignored; use forwardPorts instead`,
    `${configFile}:25:44: "forwardPorts[2]": "db:5432" is a port on another host, which devrig cannot forward; it was ignored`,
  ]);
});

test('defaults: image config, workspace under /workspaces, default workspace mount, no hooks', async () => {
  const folder = project({ '.devcontainer.json': '{ "image": "alpine:3" }' });
  const resolved = await resolveDevcontainer(input(folder));
  assert.equal(resolved.image, 'alpine:3');
  assert.equal(resolved.build, undefined);
  assert.equal(resolved.name, path.basename(folder));
  assert.equal(resolved.workspaceFolder, `/workspaces/${path.basename(folder)}`);
  assert.equal(resolved.workspaceMount, undefined);
  assert.deepEqual(resolved.mounts, []);
  assert.deepEqual(resolved.forwardPorts, []);
  assert.deepEqual(Object.values(resolved.lifecycle), [[], [], [], [], [], []]);
  assert.equal(resolved.overrideCommand, true);
  assert.equal(resolved.shutdownAction, 'stopContainer');
  assert.deepEqual(resolved.hostRequirements, {});
  assert.deepEqual(resolved.customizations, { vscode: { extensions: [], settings: {} } });
  assert.deepEqual(resolved.runArgs, {
    options: {
      capAdd: [],
      capDrop: [],
      securityOpt: [],
      ulimits: [],
      extraHosts: [],
      dns: [],
      env: {},
      labels: {},
      devices: [],
      mounts: [],
    },
    warnings: [],
    refused: [],
  });
  assert.deepEqual(resolved.warnings, []);
});

const buildCases: {
  name: string;
  files: Record<string, string>;
  dockerfile: string;
  context: string;
}[] = [
  {
    name: 'build paths are relative to a .devcontainer/ config, context defaulting to its folder',
    files: {
      '.devcontainer/devcontainer.json': '{ "build": { "dockerfile": "Dockerfile" } }',
      '.devcontainer/Dockerfile': '',
    },
    dockerfile: '.devcontainer/Dockerfile',
    context: '.devcontainer',
  },
  {
    name: 'a root .devcontainer.json builds relative to the root',
    files: {
      '.devcontainer.json': '{ "build": { "dockerfile": "docker/dev.Dockerfile" } }',
      'docker/dev.Dockerfile': '',
    },
    dockerfile: 'docker/dev.Dockerfile',
    context: '.',
  },
  {
    name: 'a named config builds relative to its own folder',
    files: {
      '.devcontainer/py/devcontainer.json':
        '{ "build": { "dockerfile": "../Dockerfile", "context": "../.." } }',
      '.devcontainer/Dockerfile': '',
    },
    dockerfile: '.devcontainer/Dockerfile',
    context: '.',
  },
  {
    name: 'legacy dockerFile and context',
    files: {
      '.devcontainer/devcontainer.json': '{ "dockerFile": "Dockerfile", "context": ".." }',
      '.devcontainer/Dockerfile': '',
    },
    dockerfile: '.devcontainer/Dockerfile',
    context: '.',
  },
];

for (const c of buildCases) {
  test(c.name, async () => {
    const folder = project(c.files);
    const { build, image } = await resolveDevcontainer(input(folder));
    assert.equal(image, undefined);
    assert.equal(build?.dockerfile, path.join(folder, c.dockerfile));
    assert.equal(build?.context, path.resolve(folder, c.context));
    assert.deepEqual(build?.args, {});
    assert.deepEqual(build?.cacheFrom, []);
  });
}

test('a Dockerfile that does not exist is reported at build.dockerfile', async () => {
  const folder = project({
    '.devcontainer/devcontainer.json': '{\n  "build": {\n    "dockerfile": "Nope"\n  }\n}',
  });
  const error = await rejection(resolveDevcontainer(input(folder)));
  const file = path.join(folder, '.devcontainer/devcontainer.json');
  assert.equal(error.code, 'Invalid');
  assert.equal(
    error.message,
    `${file}:3:19: Dockerfile ${path.join(folder, '.devcontainer/Nope')} does not exist`,
  );
});

test('neither image nor build is an Invalid error at the top of the config', async () => {
  const folder = project({ '.devcontainer.json': '// nothing to run\n{ "name": "x" }' });
  const error = await rejection(resolveDevcontainer(input(folder)));
  assert.equal(error.code, 'Invalid');
  assert.equal(
    error.message,
    `${path.join(folder, '.devcontainer.json')}:2:1: the config needs "image" or "build.dockerfile"`,
  );
});

test('compose configs are refused clearly, at the dockerComposeFile key', async () => {
  const folder = project({
    '.devcontainer.json': '{\n  "dockerComposeFile": "compose.yml",\n  "service": "app"\n}',
  });
  const error = await rejection(resolveDevcontainer(input(folder)));
  assert.equal(error.code, 'Invalid');
  assert.equal(
    error.message,
    `${path.join(folder, '.devcontainer.json')}:2:3: Docker Compose configurations (dockerComposeFile) are not supported by devrig; use "image" or "build"`,
  );
});

test('workspaceFolder is resolved before ${containerWorkspaceFolder} is used elsewhere', async () => {
  const folder = project({
    '.devcontainer.json': JSON.stringify({
      image: 'x',
      workspaceFolder: '/src/${localWorkspaceFolderBasename}',
      containerEnv: { WS: '${containerWorkspaceFolder}', BASE: '${containerWorkspaceFolderBasename}' },
      postCreateCommand: 'cd ${containerWorkspaceFolder} && make',
    }),
  });
  const resolved = await resolveDevcontainer(input(folder));
  const base = path.basename(folder);
  assert.equal(resolved.workspaceFolder, `/src/${base}`);
  assert.deepEqual(resolved.containerEnv, { WS: `/src/${base}`, BASE: base });
  assert.deepEqual(resolved.lifecycle.postCreateCommand, [
    { name: 'postCreateCommand', shell: `cd /src/${base} && make` },
  ]);
});

test('a relative workspaceFolder is Invalid at its position', async () => {
  const folder = project({ '.devcontainer.json': '{ "image": "x", "workspaceFolder": "src" }' });
  const error = await rejection(resolveDevcontainer(input(folder)));
  assert.equal(
    error.message,
    `${path.join(folder, '.devcontainer.json')}:1:36: "workspaceFolder" must be an absolute path in the container, not "src"`,
  );
});

test('a bad mount string is Invalid at its position, with the mount error as cause', async () => {
  const folder = project({
    '.devcontainer.json': '{\n  "image": "x",\n  "mounts": [\n    "type=bind,target=/b"\n  ]\n}',
  });
  const error = await rejection(resolveDevcontainer(input(folder)));
  assert.equal(
    error.message,
    `${path.join(folder, '.devcontainer.json')}:4:5: "mounts[0]" is not a valid mount: bind mount "type=bind,target=/b" has no source`,
  );
  assert.equal(error.property, 'mounts[0]');
  assert.ok(error.cause instanceof Error);
});

test('inline configs resolve relative to the folder, with (inline) as the file', async () => {
  const folder = project({ Dockerfile: 'FROM alpine' });
  const resolved = await resolveDevcontainer(
    input(folder, {
      inlineConfig: {
        build: { dockerfile: 'Dockerfile', args: { USER_HOME: '${localEnv:HOME}' } },
        shutdownAction: 'stopCompose',
        overrideCommand: false,
        extensions: ['legacy.ext'],
        customizations: { vscode: { extensions: ['new.ext', 'legacy.ext'] } },
        hostRequirements: { gpu: true },
      },
    }),
  );
  assert.equal(resolved.configFile, '(inline)');
  assert.equal(resolved.build?.dockerfile, path.join(folder, 'Dockerfile'));
  assert.deepEqual(resolved.build?.args, { USER_HOME: '/home/ann' });
  assert.equal(resolved.shutdownAction, 'stopContainer');
  assert.equal(resolved.overrideCommand, false);
  assert.deepEqual(resolved.customizations.vscode.extensions, ['legacy.ext', 'new.ext']);
  assert.deepEqual(resolved.hostRequirements, { gpu: 'required' });
  assert.deepEqual(
    resolved.warnings.map((w) => [w.property, w.line]),
    [
      ['extensions', undefined],
      ['shutdownAction', undefined],
    ],
  );
});

test('an explicit configPath is used; refused runArgs are passed on, host access is recorded as asked', async () => {
  const folder = project({
    '.devcontainer/devcontainer.json': '{ "image": "default" }',
    'alt/devcontainer.json': '{ "image": "alt", "runArgs": ["--pid=host", "--name", "x"] }',
  });
  const resolved = await resolveDevcontainer(input(folder, { configPath: 'alt/devcontainer.json' }));
  assert.equal(resolved.image, 'alt');
  assert.equal(resolved.runArgs.refused.length, 1);
  // Whether it may reach the host is the host access policy's decision, made with the spec.
  assert.equal(resolved.runArgs.options.pid, 'host');
});

test('host requests: each host-relevant item with its property and file:line:col', async () => {
  const text = [
    '{',
    '  "image": "alt",',
    '  "privileged": true,',
    '  "capAdd": ["SYS_PTRACE", "NET_ADMIN"],',
    '  "securityOpt": ["seccomp=unconfined"],',
    '  "mounts": ["source=/var/run/docker.sock,target=/var/run/docker.sock,type=bind"],',
    '  "workspaceMount": "source=${localWorkspaceFolder},target=/etc,type=bind",',
    '  "workspaceFolder": "/etc",',
    '  "runArgs": ["--init", "--network", "host", "--memory=0"]',
    '}',
  ].join('\n');
  const folder = project({ '.devcontainer/devcontainer.json': text });
  const file = path.join(folder, '.devcontainer/devcontainer.json');
  const resolved = await resolveDevcontainer(input(folder));
  assert.deepEqual(
    resolved.hostRequests.map((r) => [
      r.source.origin,
      r.source.property,
      r.source.line,
      r.source.col,
      r.source.written,
    ]),
    [
      ['property', 'privileged', 3, 17, undefined],
      ['property', 'capAdd[0]', 4, 14, undefined],
      ['property', 'capAdd[1]', 4, 28, undefined],
      ['property', 'securityOpt[0]', 5, 19, undefined],
      ['property', 'mounts[0]', 6, 14, undefined],
      ['property', 'workspaceMount', 7, 21, undefined],
      ['runArgs', 'runArgs[0]', 9, 15, '--init'],
      ['runArgs', 'runArgs[1]', 9, 25, '--network host'],
      ['runArgs', 'runArgs[3]', 9, 46, '--memory=0'],
    ],
  );
  assert.ok(resolved.hostRequests.every((r) => r.source.file === file));
  assert.deepEqual(resolved.hostRequests[7]?.request.networkMode, 'host');
  assert.deepEqual(resolved.hostRequests[8]?.request.memoryBytes, 0);
  assert.deepEqual(resolved.hostRequests[5]?.request.workspaceMount, {
    type: 'bind',
    source: folder,
    target: '/etc',
    readOnly: false,
  });
});

test('a syntax error in the found file surfaces as Syntax with its position', async () => {
  const folder = project({ '.devcontainer/devcontainer.json': '{\n  "image": "x"\n  "name": "y"\n}' });
  const error = await rejection(resolveDevcontainer(input(folder)));
  assert.equal(error.code, 'Syntax');
  assert.equal(
    error.message,
    `${path.join(folder, '.devcontainer/devcontainer.json')}:3:3: expected a comma before this (CommaExpected)`,
  );
});

test('a missing folder is NotFound', async () => {
  const missing = path.join(project({}), 'gone');
  const error = await rejection(resolveDevcontainer(input(missing)));
  assert.equal(error.code, 'NotFound');
  assert.equal(error.message, `${missing}: folder does not exist`);
});
