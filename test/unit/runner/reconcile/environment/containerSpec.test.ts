import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Environment } from '../../../../../runner/api';
import { parseRunArgs } from '../../../../../runner/devcontainer';
import type { ResolvedDevcontainer } from '../../../../../runner/devcontainer';
import {
  buildContainerSpec,
  effectiveResources,
  environmentHash,
  KEEPALIVE_SCRIPT,
  legacyEnvironmentHash,
} from '../../../../../runner/reconcile/environment/containerSpec';
import { decideContainerAction } from '../../../../../runner/reconcile/environment/decide';
import { dockerCreateOptions } from '../../../../../runner/providers/docker/createOptions';

const host = { cpus: 8, memoryBytes: 32 * 1024 ** 3, serverVersion: '20.10', os: 'linux' };

function env(spec: Record<string, unknown> = {}) {
  return Environment.parse({
    kind: 'Environment',
    metadata: {
      name: 'web',
      uid: 'abcdef12-0000-0000-0000-000000000000',
      generation: 3,
      resourceVersion: '9',
      creationTimestamp: 'x',
    },
    spec: { source: { folder: '/home/u/web' }, ...spec },
    status: {},
  });
}

function resolved(over: Partial<ResolvedDevcontainer> = {}): ResolvedDevcontainer {
  return {
    configFile: '/home/u/web/.devcontainer/devcontainer.json',
    configFolder: '/home/u/web/.devcontainer',
    name: 'web',
    image: 'node:20',
    workspaceFolder: '/workspaces/web',
    mounts: [],
    containerEnv: { A: '1' },
    remoteEnv: {},
    remoteEnvUnset: [],
    runArgs: parseRunArgs([]),
    forwardPorts: [],
    portsAttributes: {},
    lifecycle: {
      initializeCommand: [],
      onCreateCommand: [],
      updateContentCommand: [],
      postCreateCommand: [],
      postStartCommand: [],
      postAttachCommand: [],
    },
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
    ...over,
  };
}

const spec = (e = env(), r = resolved(), extra: { imageUser?: string } = {}, h = host) =>
  buildContainerSpec({
    env: e,
    resolved: r,
    imageRef: 'node:20',
    imageUser: extra.imageUser ?? '',
    workspace: { type: 'bind', folder: '/home/u/web' },
    resources: effectiveResources(e, r, h),
    configHash: 'cfg',
    runnerId: 'r1',
  });

test('default budgets: most CPUs, half the memory up to 16 GiB, 4096 pids', () => {
  const r = effectiveResources(env(), resolved(), host);
  assert.deepEqual(r, {
    cpus: 7,
    memoryBytes: 16 * 1024 ** 3,
    pids: 4096,
    gpus: false,
    warnings: [],
    unmet: [],
  });
  const small = effectiveResources(env(), resolved(), { ...host, cpus: 2, memoryBytes: 4 * 1024 ** 3 });
  assert.equal(small.cpus, 2);
  assert.equal(small.memoryBytes, 2 * 1024 ** 3);
});

test('spec resources win over runArgs over defaults; hostRequirements raise and warn', () => {
  assert.equal(
    effectiveResources(
      env({ resources: { memory: '1g' } }),
      resolved({ runArgs: parseRunArgs(['--memory=2g']) }),
      host,
    ).memoryBytes,
    1024 ** 3,
  );
  assert.equal(
    effectiveResources(env(), resolved({ runArgs: parseRunArgs(['--memory=2g']) }), host).memoryBytes,
    2 * 1024 ** 3,
  );
  const big = effectiveResources(
    env({ resources: { cpus: 1 } }),
    resolved({ hostRequirements: { cpus: 16 } }),
    host,
  );
  assert.equal(big.cpus, 8);
  assert.match(big.warnings[0]!, /hostRequirements\.cpus 16 is more than this host has \(8\)/);
});

test('labels say who owns the container and what it was made from', () => {
  const s = spec();
  assert.equal(s.name, 'devrig-web-abcdef');
  assert.equal(s.labels['devrig.managed'], 'true');
  assert.equal(s.labels['devrig.runner'], 'r1');
  assert.equal(s.labels['devrig.environment'], 'web');
  assert.equal(s.labels['devrig.uid'], 'abcdef12-0000-0000-0000-000000000000');
  assert.equal(s.labels['devrig.config-hash'], 'cfg');
  assert.equal(s.labels['devrig.workspace-folder'], '/workspaces/web');
  assert.equal(s.labels['devrig.spec-hash'], environmentHash(env()));
});

test('the workspace is bind-mounted at workspaceFolder; overrideCommand keeps it alive', () => {
  const s = spec();
  assert.deepEqual(s.mounts[0], {
    type: 'bind',
    source: '/home/u/web',
    target: '/workspaces/web',
    readOnly: false,
  });
  assert.deepEqual(s.entrypoint, ['/bin/sh']);
  assert.deepEqual(s.cmd, ['-c', KEEPALIVE_SCRIPT]);
  const keep = spec(env(), resolved({ overrideCommand: false }));
  assert.equal(keep.entrypoint, undefined);
  assert.equal(keep.cmd, undefined);
});

test('remoteUser falls back to containerUser, then the image user, then root', () => {
  assert.equal(spec(env(), resolved({ remoteUser: 'dev' })).labels['devrig.remote-user'], 'dev');
  assert.equal(spec(env(), resolved({ containerUser: 'app' })).labels['devrig.remote-user'], 'app');
  assert.equal(spec(env(), resolved(), { imageUser: 'node' }).labels['devrig.remote-user'], 'node');
  assert.equal(spec().labels['devrig.remote-user'], 'root');
});

test('env: runArgs -e < containerEnv < spec.env', () => {
  const s = spec(
    env({ env: { A: '3', B: 'spec' } }),
    resolved({ runArgs: parseRunArgs(['-e', 'A=0', '-e', 'C=ra']) }),
  );
  assert.deepEqual(s.env, { A: '3', B: 'spec', C: 'ra' });
});

test('privileged and devices only when the spec allows it', () => {
  const r = resolved({ privileged: true, runArgs: parseRunArgs(['--device=/dev/fuse']) });
  assert.equal(spec(env(), r).privileged, false);
  assert.deepEqual(spec(env(), r).devices, []);
  const allowed = spec(env({ allowPrivileged: true }), r);
  assert.equal(allowed.privileged, true);
  assert.deepEqual(allowed.devices, ['/dev/fuse']);
  const fine = spec(env({ allow: ['devices'] }), r);
  assert.equal(fine.privileged, false);
  assert.deepEqual(fine.devices, ['/dev/fuse']);
  // A privileged container has every device anyway: allowing it allows devices.
  assert.deepEqual(spec(env({ allow: ['privileged'] }), r).devices, ['/dev/fuse']);
});

test('host namespaces reach the engine as asked (the policy has allowed them by then)', () => {
  const r = resolved({
    runArgs: parseRunArgs(['--network=host', '--pid=host', '--ipc=host', '--uts=host', '--userns=host']),
  });
  const s = spec(env({ allow: ['hostNetwork', 'hostNamespaces'] }), r);
  assert.deepEqual(
    [s.network, s.pidMode, s.ipcMode, s.utsMode, s.usernsMode],
    ['host', 'host', 'host', 'host', 'host'],
  );
  const body = dockerCreateOptions(s).HostConfig!;
  assert.deepEqual(
    [body.NetworkMode, body.PidMode, body.IpcMode, body.UTSMode, body.UsernsMode],
    ['host', 'host', 'host', 'host', 'host'],
  );
});

test('allow changes the environment hash (a revoked allowance makes the container again); trust does not', () => {
  assert.notEqual(environmentHash(env()), environmentHash(env({ allow: ['hostNetwork'] })));
  assert.equal(
    environmentHash(env()),
    environmentHash(env({ source: { folder: '/home/u/web', untrusted: true } })),
  );
  assert.equal(environmentHash(env()), environmentHash(env({ allowInitializeCommand: 'sha256:x' })));
});

test('state, restart and timeouts do not change the environment hash; resources and env do', () => {
  const h = environmentHash;
  assert.equal(h(env()), h(env({ state: 'Stopped', restart: 'x', timeouts: { inactivity: '30m' } })));
  assert.notEqual(h(env()), h(env({ resources: { memory: '1g' } })));
  assert.notEqual(h(env()), h(env({ env: { X: '1' } })));
  assert.notEqual(h(env()), h(env({ rebuild: 'now' })));
});

test('the environment hash ignores what the host and devcontainer.json make of the budgets', () => {
  // A kernel update changed MemTotal, a bigger machine, an edited hostRequirements or --memory:
  // the budgets change, the hash (and so the container) does not; config edits are drift instead.
  const e = env();
  const before = spec(e);
  const afterUpdate = spec(e, resolved(), {}, { ...host, memoryBytes: host.memoryBytes - 4096 * 1024 });
  assert.notEqual(afterUpdate.memoryBytes, before.memoryBytes);
  const edited = spec(
    e,
    resolved({
      hostRequirements: { cpus: 8, memory: 24 * 1024 ** 3 },
      runArgs: parseRunArgs(['--pids-limit=99']),
    }),
  );
  assert.notEqual(edited.memoryBytes, before.memoryBytes);
  for (const other of [afterUpdate, edited]) {
    assert.equal(other.labels['devrig.spec-hash'], before.labels['devrig.spec-hash']);
  }
  assert.equal(environmentHash(e), before.labels['devrig.spec-hash']);
});

test('containers labelled by the older hash formula keep being accepted', () => {
  const e = env();
  const legacy = legacyEnvironmentHash(e, effectiveResources(e, resolved(), host));
  assert.notEqual(legacy, environmentHash(e));
  const observed = { state: 'running' as const, running: true, oomKilled: false, exitCode: 0 };
  const decide = (label: string) =>
    decideContainerAction({
      desired: 'Running',
      observed: { ...observed, labels: { 'devrig.spec-hash': label } },
      envHash: environmentHash(e),
      legacyEnvHash: legacy,
      restartRequested: false,
    }).type;
  assert.equal(decide(environmentHash(e)), 'none');
  assert.equal(decide(legacy), 'none');
  assert.equal(decide('something-else'), 'recreate');
});

test('create options: budgets, mounts, no restart policy, no swap beyond the budget', () => {
  const o = dockerCreateOptions(spec());
  assert.equal(o.HostConfig!.NanoCpus, 7e9);
  assert.equal(o.HostConfig!.Memory, 16 * 1024 ** 3);
  assert.equal(o.HostConfig!.MemorySwap, 16 * 1024 ** 3);
  assert.equal(o.HostConfig!.PidsLimit, 4096);
  assert.deepEqual(o.HostConfig!.RestartPolicy, { Name: '' });
  assert.deepEqual(o.HostConfig!.Mounts![0], {
    Type: 'bind',
    Source: '/home/u/web',
    Target: '/workspaces/web',
    ReadOnly: false,
  });
  assert.equal(o.HostConfig!.Privileged, false);
  assert.ok(o.Env!.includes('A=1'));
});
