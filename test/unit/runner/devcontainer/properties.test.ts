// appPort, build.options, --platform and hostRequirements.gpu: parsing and the pure decisions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfigError,
  parseAppPort,
  parseBuildOptions,
  parseDevcontainerText,
  parseRunArgs,
} from '../../../../runner/devcontainer';
import { resolveAppPorts } from '../../../../runner/devcontainer/appPort';
import { decideGpu } from '../../../../runner/reconcile/environment/containerSpec';
import { dockerCreateOptions } from '../../../../runner/providers/docker/createOptions';
import { engineBuildParams } from '../../../../runner/providers/docker/buildParams';
import type { ContainerSpec } from '../../../../runner/providers/provider';

const FILE = '/p/.devcontainer/devcontainer.json';

function where(text: string) {
  return { file: FILE, sourceMap: parseDevcontainerText(text, FILE).sourceMap };
}

test('appPort forms all publish on 127.0.0.1', () => {
  const cases: [number | string, ReturnType<typeof parseAppPort>['ports']][] = [
    [3000, [{ hostIp: '127.0.0.1', hostPort: 3000, containerPort: 3000, protocol: 'tcp' }]],
    ['3000', [{ hostIp: '127.0.0.1', hostPort: 3000, containerPort: 3000, protocol: 'tcp' }]],
    ['8080:80', [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]],
    ['127.0.0.1:8080:80/udp', [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'udp' }]],
    ['localhost::80', [{ hostIp: '127.0.0.1', containerPort: 80, protocol: 'tcp' }]],
    [
      '9000-9001:8000-8001',
      [
        { hostIp: '127.0.0.1', hostPort: 9000, containerPort: 8000, protocol: 'tcp' },
        { hostIp: '127.0.0.1', hostPort: 9001, containerPort: 8001, protocol: 'tcp' },
      ],
    ],
  ];
  for (const [entry, ports] of cases) assert.deepEqual(parseAppPort(entry), { ports }, String(entry));
});

test('appPort on another address is published on the loopback, with a warning at its position', () => {
  const text = '{\n  "image": "x",\n  "appPort": [3000, "0.0.0.0:8080:80"]\n}';
  const warnings: Parameters<typeof resolveAppPorts>[2] = [];
  const ports = resolveAppPorts([3000, '0.0.0.0:8080:80'], where(text), warnings);
  assert.deepEqual(
    ports.map((p) => `${p.hostIp}:${p.hostPort}:${p.containerPort}`),
    ['127.0.0.1:3000:3000', '127.0.0.1:8080:80'],
  );
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]?.line, 3);
  assert.equal(warnings[0]?.column, 21);
  assert.match(warnings[0]?.message ?? '', /published on 127\.0\.0\.1 instead of 0\.0\.0\.0/);
});

test('a bad appPort is a ConfigError at file:line:col', () => {
  const text = '{\n  "image": "x",\n  "appPort": ["80:http"]\n}';
  assert.throws(
    () => resolveAppPorts(['80:http'], where(text), []),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message ===
        `${FILE}:3:15: "appPort[0]" container port "http" is not a port number or a range like 3000-3005`,
  );
  for (const bad of ['1:2:3:4', '80/sctp', '1-3:1-2', '0', '70000:80']) {
    assert.throws(() => parseAppPort(bad), Error, bad);
  }
});

test('appPort reaches the engine as loopback port bindings', () => {
  const spec = {
    name: 'c',
    image: 'i',
    labels: {},
    env: {},
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
    ports: parseAppPort('8080:80').ports.concat(parseAppPort('127.0.0.1::81/udp').ports),
    platform: 'linux/arm64',
    gpus: true,
  } satisfies ContainerSpec;
  const o = dockerCreateOptions(spec);
  assert.deepEqual(o.ExposedPorts, { '80/tcp': {}, '81/udp': {} });
  assert.deepEqual(o.HostConfig?.PortBindings, {
    '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }],
    '81/udp': [{ HostIp: '127.0.0.1', HostPort: '' }],
  });
  assert.equal((o as { platform?: string }).platform, 'linux/arm64');
  assert.deepEqual(o.HostConfig?.DeviceRequests, [
    { Driver: '', Count: -1, DeviceIDs: [], Capabilities: [['gpu']], Options: {} },
  ]);
  const plain = dockerCreateOptions({ ...spec, ports: [], platform: undefined, gpus: false });
  assert.equal(plain.ExposedPorts, undefined);
  assert.equal(plain.HostConfig?.PortBindings, undefined);
  assert.equal(plain.HostConfig?.DeviceRequests, undefined);
  assert.equal('platform' in plain, false);
});

test('build.options become Engine API build parameters', () => {
  const text = '{ "build": { "dockerfile": "D", "options": [] } }';
  const options = parseBuildOptions(
    [
      '--build-arg',
      'A=1',
      '--label=team=x',
      '--network=host',
      '--add-host',
      'db:10.0.0.2',
      '--add-host=cache=10.0.0.3',
      '--no-cache',
      '--pull=false',
      '--platform',
      'linux/amd64',
      '--cache-from',
      'img:cache',
      '--shm-size=1g',
      '-m',
      '2g',
      '--progress=plain',
      '-q',
    ],
    where(text),
  );
  assert.deepEqual(options, {
    buildArgs: { A: '1' },
    labels: { team: 'x' },
    network: 'host',
    extraHosts: ['db:10.0.0.2', 'cache:10.0.0.3'],
    noCache: true,
    pull: false,
    platform: 'linux/amd64',
    cacheFrom: ['img:cache'],
    shmSize: 1024 ** 3,
    memory: 2 * 1024 ** 3,
  });
  const params = engineBuildParams(
    {
      kind: 'build',
      tag: 't',
      context: '/c',
      dockerfile: '/c/D',
      args: { A: '0', B: '2' },
      labels: { 'devrig.managed': 'true' },
      options,
    },
    'D',
  ) as Record<string, unknown>;
  assert.deepEqual(params.buildargs, { A: '1', B: '2' });
  assert.deepEqual(params.labels, { team: 'x', 'devrig.managed': 'true' });
  assert.equal(params.networkmode, 'host');
  assert.equal(params.extrahosts, 'db:10.0.0.2,cache:10.0.0.3');
  assert.equal(params.platform, 'linux/amd64');
  assert.equal(params.cachefrom, '["img:cache"]');
  assert.equal(params.nocache, true);
  assert.equal(params.pull, false);
});

test('build.options the Engine API cannot honour are errors naming the option, at its position', () => {
  const text =
    '{\n  "build": {\n    "dockerfile": "D",\n    "options": ["--pull", "--ssh", "default"]\n  }\n}';
  assert.throws(
    () => parseBuildOptions(['--pull', '--ssh', 'default'], where(text)),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.property === 'build.options[1]' &&
      e.message.startsWith(
        `${FILE}:4:27: "build.options[1]": --ssh is a BuildKit client (docker buildx) option`,
      ),
  );
  for (const [options, words] of [
    [['--tag', 'x'], '--tag is set by devrig itself'],
    [['--frobnicate'], '--frobnicate is not a build option devrig can pass'],
    [['--build-arg', 'NOVALUE'], '--build-arg "NOVALUE" must be NAME=value'],
    [['--platform=amd64'], '--platform "amd64" must look like linux/amd64'],
    [['--network'], '--network needs a value'],
    [['plain'], '"plain" is not a flag'],
  ] as const) {
    assert.throws(
      () => parseBuildOptions(options, where(text)),
      (e: unknown) => e instanceof ConfigError && e.message.includes(words),
      words,
    );
  }
});

test('--platform in runArgs is read; a malformed one is ignored with a warning', () => {
  assert.equal(parseRunArgs(['--platform', 'linux/arm64/v8']).options.platform, 'linux/arm64/v8');
  assert.equal(parseRunArgs(['--platform=linux/amd64']).options.platform, 'linux/amd64');
  const bad = parseRunArgs(['--platform', 'arm']);
  assert.equal(bad.options.platform, undefined);
  assert.deepEqual(bad.warnings, [
    'runArgs: --platform "arm" is not a platform like linux/amd64 and was ignored',
  ]);
});

test('hostRequirements.gpu against the engine: all GPUs, a fallback for optional, unmet for required', () => {
  assert.deepEqual(decideGpu(undefined, false), { gpus: false });
  assert.deepEqual(decideGpu('required', true), { gpus: true });
  assert.deepEqual(decideGpu('optional', true), { gpus: true });
  const optional = decideGpu('optional', false);
  assert.equal(optional.gpus, false);
  assert.match(optional.warning ?? '', /"optional" and this engine has no GPU runtime/);
  assert.equal(optional.unmet, undefined);
  const required = decideGpu('required', undefined);
  assert.equal(required.gpus, false);
  assert.match(required.unmet ?? '', /needs a GPU, and this engine has no GPU runtime/);
});
