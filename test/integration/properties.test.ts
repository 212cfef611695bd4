// The remaining devcontainer.json properties against the real engine: appPort, --platform and
// hostRequirements.gpu through a real runner (they are applied by the container spec), and
// build.options, updateRemoteUserUID and userEnvProbe through the provider (their reconcile step
// is not wired yet).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { chmodSync, chownSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pack } from 'tar-stream';
import type { Readable } from 'node:stream';
import { parseBuildOptions } from '../../runner/devcontainer';
import { DockerProvider } from '../../runner/providers/docker/dockerProvider';
import { LABELS, type ContainerSpec } from '../../runner/providers/provider';
import { KEEPALIVE_SCRIPT } from '../../runner/reconcile/environment/containerSpec';
import { execOutput } from '../../runner/reconcile/environment/execLines';
import {
  decideUidUpdate,
  ensureUidImage,
  folderOwner,
} from '../../runner/reconcile/environment/remoteUserUid';
import { probeUserEnv } from '../../runner/reconcile/environment/userEnvProbe';
import { BASE_IMAGE, docker, requireDocker } from '../helpers/docker';
import { freePort } from '../helpers/net';
import { makeProject, removeProjects, tempDir } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { waitForPhase, watchUntil } from '../helpers/wait';

const OWNER = `devrig-test-properties-${process.pid}`;

describe('appPort, --platform and hostRequirements.gpu through the runner', () => {
  let r: TestRunner;
  before(async () => {
    await requireDocker();
    r = await startRunner();
  });
  after(async () => {
    await cleanupRunner(r);
    removeProjects();
  });

  test('appPort is published on 127.0.0.1 only, even when the config names 0.0.0.0', async () => {
    const [a, b] = [await freePort(), await freePort()];
    const folder = makeProject({
      image: BASE_IMAGE,
      appPort: [a, `0.0.0.0:${b}:8000`],
      postStartCommand: 'nohup python3 -m http.server 8000 >/dev/null 2>&1 &',
    });
    const res = await r.cli(['up', folder, '--name', 'appport']);
    assert.equal(res.code, 0, res.stderr);
    const env = await waitForPhase(r.client, 'appport', 'Running');
    const supported = env.status.conditions.find((c) => c.type === 'ConfigSupported')!;
    assert.match(supported.message, /published on 127\.0\.0\.1 instead of 0\.0\.0\.0/);
    const info = await docker.getContainer(env.status.containerId!).inspect();
    assert.deepEqual(info.HostConfig.PortBindings, {
      [`${a}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: String(a) }],
      '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: String(b) }],
    });
    for (const bindings of Object.values(info.NetworkSettings.Ports ?? {})) {
      for (const binding of bindings ?? []) assert.equal(binding.HostIp, '127.0.0.1');
    }
    const reply = await fetchWithRetry(`http://127.0.0.1:${b}/`);
    assert.equal(reply, 200);
  });

  test('--platform in runArgs reaches the engine: the image platform runs, another is refused clearly', async () => {
    const image = await docker.getImage(BASE_IMAGE).inspect();
    const native = `${image.Os}/${image.Architecture}`;
    const other = image.Architecture === 'arm64' ? 'linux/amd64' : 'linux/arm64';
    const ok = makeProject({ image: BASE_IMAGE, runArgs: ['--platform', native] });
    assert.equal((await r.cli(['up', ok, '--name', 'platform-ok'])).code, 0);
    const bad = makeProject({ image: BASE_IMAGE, runArgs: [`--platform=${other}`] });
    // The engine's refusal is not terminal (the image could still be pulled for that platform):
    // watch for it rather than wait for `up`.
    await r.client.call('apply', {
      resource: {
        kind: 'Environment',
        metadata: { name: 'platform-other' },
        spec: { source: { folder: bad } },
      },
    });
    const env = await watchUntil(
      r.client,
      'platform-other',
      (e) => /does not match the specified platform/.test(e.status.lastError ?? ''),
      "the engine's refusal",
      60_000,
    );
    assert.match(env.status.lastError!, new RegExp(`wanted ${other}`));
  });

  test('hostRequirements.gpu "optional" on an engine without a GPU runtime: runs without, and says so', async () => {
    const gpuRuntime = Object.keys(((await docker.info()) as { Runtimes?: object }).Runtimes ?? {}).includes(
      'nvidia',
    );
    const folder = makeProject({ image: BASE_IMAGE, hostRequirements: { gpu: 'optional' } });
    assert.equal((await r.cli(['up', folder, '--name', 'gpu-optional'])).code, 0);
    const env = await watchUntil(r.client, 'gpu-optional', (e) => e.status.phase === 'Running', 'Running');
    const info = await docker.getContainer(env.status.containerId!).inspect();
    const requests = (info.HostConfig as { DeviceRequests?: unknown[] | null }).DeviceRequests ?? [];
    if (gpuRuntime) {
      assert.equal(requests.length, 1);
    } else {
      assert.equal(requests.length, 0);
      const supported = env.status.conditions.find((c) => c.type === 'ConfigSupported')!;
      assert.match(supported.message, /"optional" and this engine has no GPU runtime/);
    }
  });
});

async function fetchWithRetry(url: string): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return (await fetch(url)).status;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

describe('build.options, updateRemoteUserUID and userEnvProbe through the provider', () => {
  const provider = new DockerProvider();
  const labels = { [LABELS.managed]: 'true', [LABELS.runner]: OWNER };
  const images = new Set<string>();

  function spec(name: string, image: string, over: Partial<ContainerSpec> = {}): ContainerSpec {
    return {
      name: `${OWNER}-${name}-${randomUUID().slice(0, 6)}`,
      image,
      labels,
      env: {},
      entrypoint: ['/bin/sh'],
      cmd: ['-c', KEEPALIVE_SCRIPT],
      mounts: [],
      init: false,
      privileged: false,
      capAdd: [],
      capDrop: [],
      securityOpt: [],
      ulimits: [],
      extraHosts: [],
      dns: [],
      devices: [],
      ...over,
    };
  }

  async function run(name: string, image: string, over: Partial<ContainerSpec> = {}): Promise<string> {
    const id = await provider.createContainer(spec(name, image, over));
    await provider.startContainer(id);
    return id;
  }

  before(requireDocker);
  after(async () => {
    for (const c of await docker.listContainers({
      all: true,
      filters: { label: [`${LABELS.runner}=${OWNER}`] },
    })) {
      await docker.getContainer(c.Id).remove({ force: true, v: true });
    }
    for (const tag of images)
      await docker
        .getImage(tag)
        .remove({ force: true })
        .catch(() => {});
    removeProjects();
  });

  test('build.options reach the engine: extra hosts and build args seen by RUN', async () => {
    const context = tempDir('devrig-build-options-');
    writeFileSync(
      join(context, 'Dockerfile'),
      `FROM ${BASE_IMAGE}\nARG FROM_OPTIONS=unset\nRUN getent hosts devrig-options-host > /hosts-seen; echo "$FROM_OPTIONS" > /arg-seen\n`,
    );
    const options = parseBuildOptions(
      [
        '--add-host',
        'devrig-options-host:10.1.2.3',
        '--build-arg=FROM_OPTIONS=yes',
        '--label',
        'from.options=1',
      ],
      { file: 'devcontainer.json', sourceMap: { valueAt: () => undefined, keyAt: () => undefined } },
    );
    const tag = `devrig-test/build-options:${process.pid}`;
    images.add(tag);
    const built = await provider.ensureImage(
      { kind: 'build', tag, context, dockerfile: join(context, 'Dockerfile'), args: {}, labels, options },
      () => {},
    );
    assert.equal(built.action, 'built');
    assert.equal((await docker.getImage(tag).inspect()).Config.Labels?.['from.options'], '1');
    const id = await run('build-options', tag);
    const out = await execOutput(provider, id, ['/bin/sh', '-c', 'cat /hosts-seen /arg-seen']);
    assert.match(out.stdout, /^10\.1\.2\.3\s+devrig-options-host\nyes\n$/);
  });

  test("updateRemoteUserUID: the user gets the folder owner's UID/GID, so files created inside are theirs", async () => {
    const folder = tempDir('devrig-uid-');
    chownSync(folder, 1234, 2345);
    chmodSync(folder, 0o755);
    const base = await provider.ensureImage({ kind: 'image', ref: BASE_IMAGE }, () => {});
    const update = decideUidUpdate({
      setting: undefined,
      localLinuxEngine: process.platform === 'linux' && !provider.remote,
      workspaceBound: true,
      remoteUser: 'vscode',
      imageUser: base.user,
      folderOwner: await folderOwner(folder),
    });
    assert.deepEqual(update, { remoteUser: 'vscode', uid: 1234, gid: 2345, imageUser: 'root' });
    const lines: string[] = [];
    const image = await ensureUidImage(provider, base, update!, { labels, log: (l) => lines.push(l) });
    images.add(image.ref);
    assert.equal(image.action, 'built');
    assert.ok(
      lines.some((l) => l.includes('devrig: vscode is now 1234:2345 (was 1000:1000)')),
      lines.join('\n'),
    );
    assert.equal(image.user || 'root', base.user || 'root', "the image's own user is kept");
    const again = await ensureUidImage(provider, base, update!, { labels, log: () => {} });
    assert.equal(again.action, 'present', 'cached by hash');
    const id = await run('uid', image.ref, {
      mounts: [{ type: 'bind', source: folder, target: '/workspace', readOnly: false }],
    });
    const out = await execOutput(
      provider,
      id,
      ['/bin/sh', '-c', 'id -u; id -g; stat -c %u $HOME; touch /workspace/made-inside'],
      'vscode',
    );
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, '1234\n2345\n1234\n');
    const made = statSync(join(folder, 'made-inside'));
    assert.deepEqual([made.uid, made.gid], [1234, 2345]);
  });

  test("userEnvProbe: the login profile's variables, probed once per start, bounded in time", async () => {
    const id = await run('probe', BASE_IMAGE);
    const profile = pack();
    profile.entry(
      { name: 'etc/profile.d/devrig-probe.sh', mode: 0o644 },
      'export FROM_PROFILE="$(cat /tmp/profile-value 2>/dev/null || echo first)"\n[ -e /tmp/slow ] && sleep 30\n',
    );
    profile.finalize();
    await provider.putArchive(id, '/', profile as unknown as Readable);
    const container = (await provider.inspectContainer(id))!;
    const probed = await probeUserEnv(provider, container, { user: 'vscode' });
    assert.equal(probed.note, undefined);
    assert.equal(probed.env.FROM_PROFILE, 'first');
    assert.equal(probed.env.HOME, '/home/vscode');
    assert.equal(probed.env.PWD, undefined);
    // Cached for this start: a changed profile is not seen until the container starts again.
    await execOutput(provider, id, ['/bin/sh', '-c', 'echo second > /tmp/profile-value']);
    assert.equal((await probeUserEnv(provider, container, { user: 'vscode' })).env.FROM_PROFILE, 'first');
    assert.equal(
      (await probeUserEnv(provider, { ...container, startedAt: 'later' }, { user: 'vscode' })).env
        .FROM_PROFILE,
      'second',
    );
    // A profile that hangs: the probe gives up within its bound, with a note.
    await execOutput(provider, id, ['touch', '/tmp/slow']);
    const started = Date.now();
    const slow = await probeUserEnv(
      provider,
      { ...container, startedAt: 'slow' },
      { user: 'vscode', timeoutMs: 1500 },
    );
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
    assert.deepEqual(slow.env, {});
    assert.match(slow.note ?? '', /did not finish within 1\.5 s/);
    const none = await probeUserEnv(provider, container, { user: 'vscode', probe: 'none' });
    assert.deepEqual(none, { env: {} });
  });
});
