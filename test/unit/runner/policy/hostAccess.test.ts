// The consent policy's table: every host-reaching setting, from every source (runArgs, top-level
// properties, image metadata, a Feature, a Compose service) → refused without consent, allowed with its
// allowance (and with allowPrivileged), and for the runArgs/top-level forms applied to the container.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Environment, type Allowance, type RequestOrigin } from '../../../../runner/api';
import { parseRunArgs, type ResolvedDevcontainer } from '../../../../runner/devcontainer';
import { runArgsRequest } from '../../../../runner/devcontainer/hostRequests';
import type {
  ContainerRequest,
  HostContext,
  RequestSource,
} from '../../../../runner/policy/containerRequest';
import {
  allowancesOf,
  evaluateHostAccess,
  type HostAccessDecision,
} from '../../../../runner/policy/hostAccess';
import { hostAccessRequests } from '../../../../runner/policy/hostAccessRequests';
import {
  buildContainerSpec,
  effectiveResources,
} from '../../../../runner/reconcile/environment/containerSpec';
import type { ContainerSpec } from '../../../../runner/providers/provider';

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
