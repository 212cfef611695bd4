import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { AGENT_LABEL } from '../../../../runner/api';
import {
  agentSandboxViolations,
  checkAgentSandbox,
  ConfigError,
  agentLocalEnv,
  resolveDevcontainer,
} from '../../../../runner/devcontainer';
import { removeProjects, tempDir } from '../../../helpers/project';

after(removeProjects);

async function resolveConfig(config: object, files: Record<string, string> = {}) {
  const folder = tempDir('devrig-sandbox-');
  for (const [f, text] of Object.entries({
    '.devcontainer/devcontainer.json': JSON.stringify(config),
    ...files,
  })) {
    mkdirSync(path.dirname(path.join(folder, f)), { recursive: true });
    writeFileSync(path.join(folder, f), text);
  }
  // As if the user allowed host mounts: the sandbox must refuse what reaches out on its own.
  const resolved = await resolveDevcontainer({
    folder,
    localEnv: {},
    devcontainerId: 'x',
    allowHostContext: true,
  });
  return { folder, resolved };
}

const agentEnv = { metadata: { labels: { [AGENT_LABEL]: 's1' } } };
const userEnv = { metadata: { labels: {} } };

test('a plain image config with the default workspace, tmpfs and anonymous volumes is inside the sandbox', async () => {
  const { folder, resolved } = await resolveConfig({
    image: 'debian',
    mounts: ['type=tmpfs,target=/scratch', 'type=volume,target=/cache'],
    securityOpt: ['no-new-privileges'],
    runArgs: ['--network', 'none', '--cap-drop', 'ALL'],
    postCreateCommand: 'echo hi',
  });
  assert.deepEqual(agentSandboxViolations(resolved, folder), []);
});

test('everything that reaches outside the container is named, each with where it is', async () => {
  const { folder, resolved } = await resolveConfig(
    {
      build: { dockerfile: 'Dockerfile', context: '../..' },
      initializeCommand: 'touch /tmp/on-host',
      workspaceMount: 'type=bind,source=/etc,target=/workspaces/x',
      workspaceFolder: '/workspaces/x',
      mounts: ['type=bind,source=/home,target=/h', 'type=volume,source=shared-db,target=/db'],
      privileged: true,
      capAdd: ['SYS_ADMIN'],
      securityOpt: ['seccomp=unconfined'],
      runArgs: [
        '--device',
        '/dev/kvm',
        '--network',
        'host',
        '-v',
        '/var/run/docker.sock:/var/run/docker.sock',
      ],
    },
    { '.devcontainer/Dockerfile': 'FROM scratch\n' },
  );
  const v = agentSandboxViolations(resolved, folder);
  const expect = [
    /^initializeCommand: it would run on the host/,
    /^workspaceMount: binds \/etc from the host/,
    /^mounts\[0\]: binds \/home from the host into \/h$/,
    /^mounts\[1\]: mounts the named volume "shared-db"/,
    /^runArgs \(-v\/--mount\): binds \/var\/run\/docker.sock/,
    /^privileged/,
    /^capAdd: SYS_ADMIN$/,
    /^securityOpt: seccomp=unconfined$/,
    /^runArgs --device: \/dev\/kvm$/,
    /^runArgs --network host/,
    /^build.context .* is outside the workspace/,
  ];
  assert.equal(v.length, expect.length, v.join('\n'));
  for (const re of expect)
    assert.ok(
      v.some((line) => re.test(line)),
      `${re} in\n${v.join('\n')}`,
    );
});

test('the workspace itself may be bind-mounted where the config likes', async () => {
  const folder = tempDir('devrig-sandbox-');
  mkdirSync(path.join(folder, '.devcontainer'));
  writeFileSync(
    path.join(folder, '.devcontainer/devcontainer.json'),
    JSON.stringify({
      image: 'debian',
      workspaceMount: 'type=bind,source=${localWorkspaceFolder},target=/src',
      workspaceFolder: '/src',
    }),
  );
  // As if the user allowed host mounts: the sandbox must refuse what reaches out on its own.
  const resolved = await resolveDevcontainer({
    folder,
    localEnv: {},
    devcontainerId: 'x',
    allowHostContext: true,
  });
  assert.deepEqual(agentSandboxViolations(resolved, folder), []);
});

test('checkAgentSandbox refuses only agent environments, with one ConfigError naming the file', async () => {
  const { folder, resolved } = await resolveConfig({ image: 'debian', privileged: true });
  assert.doesNotThrow(() => checkAgentSandbox(userEnv, resolved, folder));
  assert.throws(
    () => checkAgentSandbox(agentEnv, resolved, folder),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.file === resolved.configFile &&
      /AI agent created .*privileged/.test(e.message),
  );
});

test('an agent environment reads no host environment variables', () => {
  const host = { HOME: '/home/ann', GITHUB_TOKEN: 'ghp_x' };
  assert.deepEqual(agentLocalEnv(agentEnv, host), {});
  assert.equal(agentLocalEnv(userEnv, host), host);
});
