// The consent policy's table: every host-reaching setting, from every source (runArgs, top-level
// properties, image metadata, a Feature, a Compose service) → refused without consent, allowed with its
// allowance (and with allowPrivileged), and for the runArgs/top-level forms applied to the container.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Environment, type Allowance, type RequestOrigin } from '../../runner/api';
import { parseRunArgs, type ResolvedDevcontainer } from '../../runner/devcontainer';
import { runArgsRequest } from '../../runner/devcontainer/hostRequests';
import type { ContainerRequest, HostContext, RequestSource } from '../../runner/policy/containerRequest';
import {
  allowancesOf,
  evaluateHostAccess,
  judgeHostAccess,
  type HostAccessDecision,
} from '../../runner/policy/hostAccess';
import { hostAccessRequests } from '../../runner/policy/hostAccessRequests';
import { buildContainerSpec, effectiveResources } from '../../runner/reconcile/environment/containerSpec';
import type { ContainerSpec } from '../../runner/providers/provider';

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

type Setting = {
  name: string;
  /** The allowance that lets it through; undefined: nothing does (the state folder). */
  allowance: Allowance | undefined;
  request: ContainerRequest;
  /** The same asked for through runArgs, when runArgs can say it. */
  runArgs?: string[];
  /** How it shows in the container spec once allowed (runArgs and top-level forms). */
  applied?: (s: ContainerSpec) => boolean;
};

const bind = (source: string, target = '/mnt/x') => ({ mounts: [{ type: 'bind', source, target }] });
const hasMount = (source: string) => (s: ContainerSpec) => s.mounts.some((m) => m.source === source);

const SETTINGS: Setting[] = [
  {
    name: 'privileged',
    allowance: 'privileged',
    request: { privileged: true },
    runArgs: ['--privileged'],
    applied: (s) => s.privileged,
  },
  {
    name: 'a device',
    allowance: 'devices',
    request: { devices: ['/dev/kvm'] },
    runArgs: ['--device', '/dev/kvm'],
    applied: (s) => s.devices.includes('/dev/kvm'),
  },
  {
    name: 'host network',
    allowance: 'hostNetwork',
    request: { networkMode: 'host' },
    runArgs: ['--network=host'],
    applied: (s) => s.network === 'host',
  },
  {
    name: "another container's network",
    allowance: 'hostNamespaces',
    request: { networkMode: 'container:db' },
    runArgs: ['--net', 'container:db'],
    applied: (s) => s.network === 'container:db',
  },
  {
    name: 'host pid',
    allowance: 'hostNamespaces',
    request: { pidMode: 'host' },
    runArgs: ['--pid=host'],
    applied: (s) => s.pidMode === 'host',
  },
  {
    name: 'host ipc',
    allowance: 'hostNamespaces',
    request: { ipcMode: 'host' },
    runArgs: ['--ipc', 'host'],
    applied: (s) => s.ipcMode === 'host',
  },
  {
    name: 'host uts',
    allowance: 'hostNamespaces',
    request: { utsMode: 'host' },
    runArgs: ['--uts=host'],
    applied: (s) => s.utsMode === 'host',
  },
  {
    name: 'host userns',
    allowance: 'hostNamespaces',
    request: { usernsMode: 'host' },
    runArgs: ['--userns=host'],
    applied: (s) => s.usernsMode === 'host',
  },
  ...[
    'ALL',
    'SYS_ADMIN',
    'SYS_MODULE',
    'SYS_PTRACE',
    'SYS_RAWIO',
    'NET_ADMIN',
    'DAC_READ_SEARCH',
    'cap_sys_boot',
  ].map((cap): Setting => ({
    name: `capability ${cap}`,
    allowance: 'capabilities',
    request: { capAdd: [cap] },
    runArgs: [`--cap-add=${cap}`],
    applied: (s) => s.capAdd.includes(cap),
  })),
  ...[
    'seccomp=unconfined',
    'seccomp:unconfined',
    'apparmor=unconfined',
    'label=disable',
    'label=type:spc_t',
    'systempaths=unconfined',
    'seccomp=/tmp/allow-all.json',
    'made-up=1',
  ].map((opt): Setting => ({
    name: `security option ${opt}`,
    allowance: 'unconfined',
    request: { securityOpt: [opt] },
    runArgs: ['--security-opt', opt],
    applied: (s) => s.securityOpt.includes(opt),
  })),
  ...[
    '/',
    '/etc',
    '/etc/shadow',
    '/var/lib/docker',
    '/usr',
    '/boot',
    '/proc',
    '/sys',
    '/dev',
    '/root',
    '/home',
    '/home/ann',
    '~',
    '/tmp',
    '/home/ann/src/web/rootfs',
    '/home/ann/src/web/../../..',
    '/home/ann/.local/../.',
  ].map((source): Setting => ({
    name: `bind mount of ${source}`,
    allowance: 'hostMounts',
    request: bind(source),
    runArgs: ['-v', `${source}:/mnt/x`],
    applied: hasMount(source),
  })),
  ...['/var/run/docker.sock', '/run/docker.sock', '/run/podman/podman.sock', '/srv/engine/engine.sock'].map(
    (source): Setting => ({
      name: `bind mount of the engine socket ${source}`,
      allowance: 'engineSocket',
      request: bind(source, '/var/run/docker.sock'),
      runArgs: ['--mount', `type=bind,source=${source},target=/var/run/docker.sock`],
      applied: hasMount(source),
    }),
  ),
  ...[
    '~/.ssh',
    '/home/ann/.aws/credentials',
    '/home/ann/.docker',
    '/home/ann/.kube',
    '/home/ann/.gnupg',
    '/home/ann/.config/gcloud',
    '/home/ann/.config',
    '/home/bob/.ssh',
    '/root/.ssh',
    '/run/user/1000/keyring/ssh',
  ].map((source): Setting => ({
    name: `bind mount of credentials ${source}`,
    allowance: 'credentials',
    request: bind(source),
    runArgs: ['-v', `${source}:/mnt/x:ro`],
    applied: hasMount(source),
  })),
  {
    name: 'workspaceMount of /etc',
    allowance: 'hostMounts',
    request: { workspaceMount: { type: 'bind', source: '/etc', target: '/workspaces/web' } },
  },
  {
    name: 'workspaceMount at /etc',
    allowance: 'hostMounts',
    request: { workspaceMount: { type: 'bind', source: '/home/ann/src/web', target: '/etc' } },
  },
  {
    name: 'a bind mount over /usr',
    allowance: 'hostMounts',
    request: bind('/home/ann/src/web', '/usr'),
    runArgs: ['-v', '/home/ann/src/web:/usr'],
  },
  {
    name: 'memory 0',
    allowance: 'budgets',
    request: { memoryBytes: 0 },
    runArgs: ['--memory', '0'],
    applied: (s) => s.memoryBytes === 0,
  },
  {
    name: 'memory above the host',
    allowance: 'budgets',
    request: { memoryBytes: 64 * GiB },
    runArgs: ['--memory=64g'],
    applied: (s) => s.memoryBytes === 64 * GiB,
  },
  {
    name: 'pids-limit -1',
    allowance: 'budgets',
    request: { pidsLimit: -1 },
    runArgs: ['--pids-limit', '-1'],
    applied: (s) => s.pidsLimit === -1,
  },
  {
    name: 'pids-limit 0',
    allowance: 'budgets',
    request: { pidsLimit: 0 },
    runArgs: ['--pids-limit=0'],
    applied: (s) => s.pidsLimit === 0,
  },
  ...[
    '/home/ann/.devrig',
    '/home/ann/.devrig/token',
    '~/.devrig/ssh/id_ed25519',
    '/home/ann/src/web/../../.devrig',
  ].map((source): Setting => ({
    name: `bind mount of the state folder ${source}`,
    allowance: undefined,
    request: bind(source),
    runArgs: ['-v', `${source}:/mnt/x`],
  })),
];

/** The same setting as each source would hand it to the policy. */
function fromSource(s: Setting, origin: RequestOrigin): { request: ContainerRequest; source: RequestSource } {
  const file =
    origin === 'compose'
      ? '/home/ann/src/web/compose.yaml'
      : '/home/ann/src/web/.devcontainer/devcontainer.json';
  switch (origin) {
    case 'runArgs':
      return {
        request: runArgsRequest(parseRunArgs(s.runArgs!).options),
        source: { origin, property: 'runArgs[0]', written: s.runArgs!.join(' '), file, line: 4, col: 15 },
      };
    case 'property':
      return { request: s.request, source: { origin, property: 'mounts[0]', file, line: 5, col: 3 } };
    case 'imageMetadata':
      return { request: s.request, source: { origin, name: 'mcr.example/devcontainers/base:1' } };
    case 'feature':
      return {
        request: s.request,
        source: { origin, name: 'ghcr.io/devcontainers/features/docker-in-docker:2' },
      };
    case 'compose':
      return {
        request: s.request,
        source: { origin, name: 'app', property: 'services.app', file, line: 7, col: 5 },
      };
  }
}

const ORIGINS: RequestOrigin[] = ['runArgs', 'property', 'imageMetadata', 'feature', 'compose'];

function judge(
  s: Setting,
  origin: RequestOrigin,
  spec: Parameters<typeof allowancesOf>[0],
): HostAccessDecision {
  const { request, source } = fromSource(s, origin);
  return evaluateHostAccess(hostAccessRequests(request, source, ctx), allowancesOf(spec));
}

for (const setting of SETTINGS) {
  for (const origin of ORIGINS) {
    if (origin === 'runArgs' && !setting.runArgs) continue;
    test(`${setting.name} from ${origin}: refused without consent, allowed with ${setting.allowance ?? 'nothing'}`, () => {
      const refused = judge(setting, origin, {});
      assert.ok(refused.refused.length > 0, 'refused without consent');
      assert.deepEqual(refused.allowed, []);
      for (const item of refused.refused) {
        assert.equal(item.allowance, setting.allowance);
        assert.equal(item.origin, origin);
        assert.match(
          item.message,
          setting.allowance
            ? new RegExp(
                `allow it with spec\\.allow: \\[${setting.allowance}\\] \\(devrig up --allow ${setting.allowance}\\)$`,
              )
            : /nothing can allow it/,
        );
        if (origin === 'feature' || origin === 'imageMetadata' || origin === 'compose') {
          assert.ok(item.message.includes(fromSource(setting, origin).source.name!), item.message);
        }
        if (origin === 'runArgs' || origin === 'property' || origin === 'compose') {
          assert.match(item.message, /^\/home\/ann\/src\/web\/[^:]+:\d+:\d+: /);
        }
      }
      const everything = judge(setting, origin, { allowPrivileged: true });
      const fine = setting.allowance ? judge(setting, origin, { allow: [setting.allowance] }) : everything;
      for (const d of setting.allowance ? [fine, everything] : []) {
        assert.deepEqual(d.refused, []);
        assert.ok(d.allowed.length > 0);
        assert.match(d.allowed[0]!.message, new RegExp(`\\(allowed: ${setting.allowance}\\)$`));
      }
      if (!setting.allowance)
        assert.ok(everything.refused.length > 0, 'the state folder: never, whatever is allowed');
    });
  }
}

// Applied with consent: what the runArgs and top-level forms become in the container, once allowed.
const env = (allow: Allowance[]) =>
  Environment.parse({
    kind: 'Environment',
    metadata: { name: 'web', uid: 'u-1', generation: 1, resourceVersion: '1', creationTimestamp: 'x' },
    spec: { source: { folder: '/home/ann/src/web' }, allow },
    status: {},
  });

function resolvedWith(runArgs: string[]): ResolvedDevcontainer {
  const empty = {
    initializeCommand: [],
    onCreateCommand: [],
    updateContentCommand: [],
    postCreateCommand: [],
    postStartCommand: [],
    postAttachCommand: [],
  };
  return {
    configFile: '/home/ann/src/web/.devcontainer/devcontainer.json',
    configFolder: '/home/ann/src/web/.devcontainer',
    name: 'web',
    image: 'base',
    workspaceFolder: '/workspaces/web',
    mounts: [],
    containerEnv: {},
    remoteEnv: {},
    remoteEnvUnset: [],
    runArgs: parseRunArgs(runArgs),
    forwardPorts: [],
    portsAttributes: {},
    lifecycle: empty,
    overrideCommand: true,
    shutdownAction: 'stopContainer',
    hostRequirements: {},
    customizations: { vscode: { extensions: [], settings: {} } },
    init: false,
    privileged: false,
    capAdd: [],
    securityOpt: [],
    warnings: [],
    hostRequests: [],
  };
}

for (const setting of SETTINGS.filter((s) => s.applied && s.runArgs)) {
  test(`${setting.name} is applied to the container once allowed`, () => {
    const e = env([setting.allowance!]);
    const r = resolvedWith(setting.runArgs!);
    const host = { cpus: 4, memoryBytes: 32 * GiB, serverVersion: '20.10', os: 'linux' };
    const spec = buildContainerSpec({
      env: e,
      resolved: r,
      imageRef: 'base',
      imageUser: '',
      workspace: { type: 'bind', folder: '/home/ann/src/web' },
      resources: effectiveResources(e, r, host),
      configHash: 'c',
      runnerId: 'r',
    });
    assert.ok(setting.applied!(spec), JSON.stringify(spec));
  });
}

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
