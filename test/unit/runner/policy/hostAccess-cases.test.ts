// The consent policy beyond the table: what stays inside the container asks for nothing, and what the
// messages say.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRunArgs } from '../../../../runner/devcontainer';
import { runArgsRequest } from '../../../../runner/devcontainer/hostRequests';
import type {
  ContainerRequest,
  HostContext,
  RequestSource,
} from '../../../../runner/policy/containerRequest';
import { allowancesOf, judgeHostAccess } from '../../../../runner/policy/hostAccess';
import { hostAccessRequests } from '../../../../runner/policy/hostAccessRequests';

const GiB = 1024 ** 3;
const ctx: HostContext = {
  home: '/home/ann',
  stateDir: '/home/ann/.devrig',
  workspaceFolder: '/home/ann/src/web',
  engineSockets: ['/srv/engine/engine.sock'],
  sshAuthSock: '/run/user/1000/keyring/ssh',
  hostMemoryBytes: 32 * GiB,
  realPath: (p) => (p === '/home/ann/src/web/rootfs' ? '/' : undefined),
};

const bind = (source: string, target = '/mnt/x') => ({ mounts: [{ type: 'bind', source, target }] });

// What stays inside the container asks for nothing.
const HARMLESS: { name: string; request: ContainerRequest; ctx?: Partial<HostContext> }[] = [
  { name: 'default capabilities', request: { capAdd: ['CHOWN', 'NET_BIND_SERVICE', 'cap_kill'] } },
  {
    name: 'no-new-privileges and the default profiles',
    request: {
      securityOpt: [
        'no-new-privileges',
        'no-new-privileges:true',
        'apparmor=docker-default',
        'label=level:s0:c100',
        'seccomp=builtin',
      ],
    },
  },
  {
    name: 'named volumes and tmpfs',
    request: {
      mounts: [
        { type: 'volume', source: 'cache', target: '/etc' },
        { type: 'tmpfs', target: '/tmp' },
      ],
    },
  },
  { name: 'bind mounts inside the workspace', request: bind('/home/ann/src/web/data') },
  {
    name: 'the workspace itself, the reference way',
    request: { workspaceMount: { type: 'bind', source: '/home/ann/src/web', target: '/workspaces/web' } },
  },
  { name: 'a folder of the user outside the workspace', request: bind('/home/ann/data/photos') },
  { name: 'a file in the home folder that is not a credential', request: bind('/home/ann/.bashrc') },
  { name: 'a project .docker folder', request: bind('/home/ann/src/web/.docker') },
  {
    name: 'data folders under /mnt, /tmp and /opt',
    request: {
      mounts: [
        { type: 'bind', source: '/mnt/data', target: '/d' },
        { type: 'bind', source: '/tmp/scratch', target: '/s' },
        { type: 'bind', source: '/opt/sdk', target: '/sdk' },
      ],
    },
  },
  {
    name: 'a config file over a container subfolder of /etc',
    request: bind('/home/ann/src/web/nginx.conf', '/etc/nginx/conf.d/default.conf'),
  },
  {
    name: 'ordinary networks and private namespaces',
    request: { networkMode: 'my_net', ipcMode: 'shareable', pidMode: 'private', utsMode: '' },
  },
  { name: 'budgets within the host', request: { memoryBytes: 4 * GiB, pidsLimit: 512 } },
  {
    name: 'budgets the spec overrides',
    request: { memoryBytes: 0, pidsLimit: -1 },
    ctx: { budgetsSetBySpec: { memory: true, pids: true } },
  },
  // A git source's clone lives in the state folder: mounting the workspace is still the workspace.
  {
    name: "a git clone's own folder",
    request: bind('/home/ann/.devrig/sources/web-abc123/sub'),
    ctx: { workspaceFolder: '/home/ann/.devrig/sources/web-abc123' },
  },
];

for (const h of HARMLESS) {
  test(`not host access: ${h.name}`, () => {
    const source: RequestSource = { origin: 'property', property: 'x' };
    assert.deepEqual(hostAccessRequests(h.request, source, { ...ctx, ...h.ctx }), []);
  });
}

test("a git clone's neighbours in the state folder are still the state folder", () => {
  const gitCtx = { ...ctx, workspaceFolder: '/home/ann/.devrig/sources/web-abc123' };
  const got = hostAccessRequests(
    bind('/home/ann/.devrig/sources/web-abc123/..'),
    { origin: 'property' },
    gitCtx,
  );
  assert.deepEqual(
    got.map((r) => r.kind),
    ['stateFolder'],
  );
});

test('messages name the property, file:line:col, what it gives and how to allow it', () => {
  const d = judgeHostAccess(
    [
      {
        request: runArgsRequest(parseRunArgs(['--network', 'host']).options),
        source: {
          origin: 'runArgs',
          property: 'runArgs[2]',
          written: '--network host',
          file: '/p/devcontainer.json',
          line: 9,
          col: 30,
        },
      },
      {
        request: { privileged: true },
        source: { origin: 'feature', name: 'ghcr.io/devcontainers/features/docker-in-docker:2' },
      },
      {
        request: { mounts: [{ type: 'bind', source: '/home/ann/.devrig', target: '/s' }] },
        source: {
          origin: 'compose',
          name: 'app',
          property: 'services.app.volumes[0]',
          file: '/p/compose.yaml',
          line: 7,
          col: 9,
        },
      },
    ],
    { allow: ['privileged'] },
    ctx,
  );
  assert.deepEqual(
    d.refused.map((i) => i.message),
    [
      `/p/devcontainer.json:9:30: runArgs[2] "--network host" asks for this machine's network, its loopback ports included (network host); allow it with spec.allow: [hostNetwork] (devrig up --allow hostNetwork)`,
      `/p/compose.yaml:7:9: Compose service "app" services.app.volumes[0] asks for a bind mount of /home/ann/.devrig: devrig's state folder (the runner's token and SSH keys); nothing can allow it: it holds the runner token and devrig’s SSH keys`,
    ],
  );
  assert.deepEqual(
    d.allowed.map((i) => i.message),
    [
      'feature "ghcr.io/devcontainers/features/docker-in-docker:2" asks for a privileged container (all capabilities and devices, no confinement) (allowed: privileged)',
    ],
  );
  assert.deepEqual(
    d.refused.map((i) => [i.allowance, i.origin, i.name, i.property, i.location]),
    [
      ['hostNetwork', 'runArgs', undefined, 'runArgs[2]', '/p/devcontainer.json:9:30'],
      [undefined, 'compose', 'app', 'services.app.volumes[0]', '/p/compose.yaml:7:9'],
    ],
  );
});

test('allowances: allowPrivileged is all of them; privileged includes what a privileged container has anyway', () => {
  assert.equal(allowancesOf({ allowPrivileged: true }).size, 10);
  assert.deepEqual([...allowancesOf({ allow: ['privileged'] })].sort(), [
    'capabilities',
    'devices',
    'privileged',
    'unconfined',
  ]);
  assert.deepEqual([...allowancesOf({ allow: ['engineSocket'] })], ['engineSocket']);
  assert.deepEqual([...allowancesOf({})], []);
});

test('a repeated request is reported once', () => {
  const d = judgeHostAccess(
    [
      {
        request: { capAdd: ['SYS_ADMIN', 'SYS_ADMIN'] },
        source: { origin: 'property', property: 'capAdd[0]' },
      },
    ],
    {},
  );
  assert.equal(d.refused.length, 1);
});
