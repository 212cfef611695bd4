import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  configMetadataEntry,
  featureUsers,
  mergeImageMetadata,
  parseMetadataLabel,
  type FeatureMetadata,
} from '../../../../runner/features';

const IMAGE_LABEL = JSON.stringify([
  { id: 'ghcr.io/devcontainers/features/common-utils:2', postCreateCommand: 'echo common' },
  {
    remoteUser: 'vscode',
    containerEnv: { FROM_IMAGE: '1', SHARED: 'image' },
    postStartCommand: 'echo image-start',
    mounts: ['type=volume,source=cache,target=/cache'],
    capAdd: ['SYS_PTRACE'],
  },
]);

const DIND: FeatureMetadata = {
  id: 'docker-in-docker',
  privileged: true,
  init: true,
  entrypoint: '/usr/local/share/docker-init.sh',
  mounts: [{ source: 'dind-var-lib-docker-${devcontainerId}', target: '/var/lib/docker', type: 'volume' }],
  containerEnv: { NOT_IN_METADATA: 'x' },
  customizations: { vscode: { extensions: ['ms-azuretools.vscode-docker'] } },
  postCreateCommand: { a: 'echo dind-a', b: ['echo', 'dind-b'] },
};
const HOST: FeatureMetadata = {
  id: 'host-access',
  capAdd: ['SYS_PTRACE', 'NET_ADMIN'],
  securityOpt: ['seccomp=unconfined'],
  mounts: [
    'type=bind,source=/var/run/docker.sock,target=/var/run/docker.sock',
    'source=other,target=/cache,type=volume',
  ],
  postCreateCommand: 'echo host',
};

function merged() {
  return mergeImageMetadata({
    image: { ref: 'mcr.example/base:1', labels: { 'devcontainer.metadata': IMAGE_LABEL } },
    features: [
      { userId: 'ghcr.io/devcontainers/features/docker-in-docker:2', metadata: DIND },
      { userId: './host-access', metadata: HOST },
    ],
    config: configMetadataEntry({
      image: 'ignored',
      remoteUser: 'dev',
      containerEnv: { SHARED: 'config' },
      postCreateCommand: 'echo config',
      postStartCommand: ['echo', 'config-start'],
      forwardPorts: [3000, 'localhost:3000', 'db:5432'],
      customizations: { vscode: { extensions: ['dbaeumer.vscode-eslint'] } },
      hostRequirements: { cpus: 2, memory: '4gb' },
    }),
    substitute: <T>(value: T): T =>
      JSON.parse(JSON.stringify(value).replace(/\$\{devcontainerId\}/g, 'ID42')) as T,
  });
}

test('the label: an array, or one object (older images); anything else is reported', () => {
  assert.deepEqual(parseMetadataLabel('[{"remoteUser":"a"},{"x":1}]').entries, [
    { remoteUser: 'a' },
    { x: 1 },
  ]);
  assert.deepEqual(parseMetadataLabel('{"remoteUser":"a"}').entries, [{ remoteUser: 'a' }]);
  assert.match(parseMetadataLabel('{nope').warnings[0] ?? '', /not JSON/);
  assert.match(parseMetadataLabel('"x"').warnings[0] ?? '', /neither an array nor an object/);
  assert.deepEqual(parseMetadataLabel(undefined), { entries: [], warnings: [] });
});

test('hooks: image entries, then Features in install order, then devcontainer.json — each a step of its own', () => {
  const m = merged();
  assert.deepEqual(
    m.lifecycle.postCreateCommand.map((s) => [s.origin, s.commands]),
    [
      [
        'ghcr.io/devcontainers/features/common-utils:2 (in mcr.example/base:1)',
        [{ name: 'postCreateCommand', shell: 'echo common' }],
      ],
      [
        'ghcr.io/devcontainers/features/docker-in-docker:2',
        [
          { name: 'a', shell: 'echo dind-a' },
          { name: 'b', argv: ['echo', 'dind-b'] },
        ],
      ],
      ['./host-access', [{ name: 'postCreateCommand', shell: 'echo host' }]],
      ['devcontainer.json', [{ name: 'postCreateCommand', shell: 'echo config' }]],
    ],
  );
  assert.deepEqual(
    m.lifecycle.postStartCommand.map((s) => s.origin),
    ['mcr.example/base:1', 'devcontainer.json'],
  );
});

test('users last wins, env later keys win, flags any, lists union, mounts by target, customizations kept per tool', () => {
  const m = merged();
  assert.equal(m.remoteUser, 'dev');
  assert.equal(m.containerUser, undefined);
  assert.deepEqual(m.containerEnv, { FROM_IMAGE: '1', SHARED: 'config' });
  assert.equal(m.init, true);
  assert.equal(m.privileged, true);
  assert.deepEqual(m.capAdd, ['SYS_PTRACE', 'NET_ADMIN']);
  assert.deepEqual(m.securityOpt, ['seccomp=unconfined']);
  assert.deepEqual(m.mounts, [
    { source: 'dind-var-lib-docker-ID42', target: '/var/lib/docker', type: 'volume' },
    'type=bind,source=/var/run/docker.sock,target=/var/run/docker.sock',
    'source=other,target=/cache,type=volume',
  ]);
  assert.deepEqual(m.entrypoints, [
    {
      origin: 'ghcr.io/devcontainers/features/docker-in-docker:2',
      entrypoint: '/usr/local/share/docker-init.sh',
    },
  ]);
  assert.deepEqual(m.customizations, {
    vscode: [{ extensions: ['ms-azuretools.vscode-docker'] }, { extensions: ['dbaeumer.vscode-eslint'] }],
  });
  assert.deepEqual(m.forwardPorts, [3000, 'db:5432']);
  assert.deepEqual(m.hostRequirements, { cpus: 2, memory: `${4 * 2 ** 30}` });
  assert.deepEqual(m.warnings, []);
});

test('privileged and host-access asks, with who asked; devcontainer.json itself asks nothing here', () => {
  const m = mergeImageMetadata({
    image: { ref: 'base', labels: { 'devcontainer.metadata': IMAGE_LABEL } },
    features: [
      { userId: 'dind', metadata: DIND },
      { userId: './host-access', metadata: HOST },
    ],
    config: { privileged: true },
  });
  assert.deepEqual(m.asks, [
    { kind: 'capAdd', detail: 'SYS_PTRACE', source: { origin: 'imageMetadata', name: 'base' } },
    { kind: 'privileged', detail: 'privileged: true', source: { origin: 'feature', name: 'dind' } },
    {
      kind: 'entrypoint',
      detail: '/usr/local/share/docker-init.sh',
      source: { origin: 'feature', name: 'dind' },
    },
    { kind: 'capAdd', detail: 'SYS_PTRACE', source: { origin: 'feature', name: './host-access' } },
    { kind: 'capAdd', detail: 'NET_ADMIN', source: { origin: 'feature', name: './host-access' } },
    {
      kind: 'securityOpt',
      detail: 'seccomp=unconfined',
      source: { origin: 'feature', name: './host-access' },
    },
    {
      kind: 'bindMount',
      detail: '/var/run/docker.sock → /var/run/docker.sock',
      source: { origin: 'feature', name: './host-access' },
    },
  ]);
});

test('the label for the built image: every entry raw (unsubstituted), Features with their id, always an array', () => {
  const label = JSON.parse(merged().label) as Record<string, unknown>[];
  assert.ok(Array.isArray(label));
  assert.equal(label.length, 5);
  assert.equal(label[2]?.['id'], 'ghcr.io/devcontainers/features/docker-in-docker:2');
  assert.deepEqual(
    label[2]?.['mounts'],
    DIND.mounts,
    'raw: ${devcontainerId} kept for whoever uses the image',
  );
  assert.equal(
    label[2]?.['containerEnv'],
    undefined,
    'a Feature containerEnv is ENV in the image, not metadata',
  );
  assert.deepEqual(label[4], {
    postCreateCommand: 'echo config',
    postStartCommand: ['echo', 'config-start'],
    customizations: { vscode: { extensions: ['dbaeumer.vscode-eslint'] } },
    containerEnv: { SHARED: 'config' },
    remoteUser: 'dev',
    forwardPorts: [3000, 'localhost:3000', 'db:5432'],
    hostRequirements: { cpus: 2, memory: '4gb' },
  });
  const empty = mergeImageMetadata({ image: { ref: 'x', labels: {} }, features: [] });
  assert.equal(empty.label, '[]');
});

test('_CONTAINER_USER and _REMOTE_USER as the reference computes them', () => {
  assert.deepEqual(featureUsers({}, ''), { containerUser: 'root', remoteUser: 'root' });
  assert.deepEqual(featureUsers({}, 'node'), { containerUser: 'node', remoteUser: 'node' });
  assert.deepEqual(featureUsers({ remoteUser: 'vscode' }, ''), {
    containerUser: 'root',
    remoteUser: 'vscode',
  });
  assert.deepEqual(featureUsers({ containerUser: 'app' }, 'node'), {
    containerUser: 'app',
    remoteUser: 'app',
  });
});
