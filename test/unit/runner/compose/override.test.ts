// The generated override, the service requests and the observation/decision core, without Compose.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMPOSE_SERVICE_LABEL,
  composeOverride,
  configDriftedServices,
  decideComposeAction,
  foreignContainers,
  observeServices,
  parseComposeModel,
  publishedPortNotes,
  serviceContainerRequests,
  servicesToRun,
  unknownServices,
  type DevServiceSettings,
} from '../../../../runner/compose';
import type { ContainerObservation } from '../../../../runner/providers/provider';

const model = parseComposeModel(
  JSON.stringify({
    name: 'proj',
    services: {
      dev: {
        build: { context: '/src', dockerfile: 'Dockerfile' },
        command: ['sleep', 'infinity'],
        entrypoint: null,
        volumes: [
          { type: 'bind', source: '/src', target: '/workspace' },
          { type: 'bind', source: '/src/cache', target: '/cache' },
        ],
      },
      db: {
        image: 'postgres',
        privileged: true,
        cap_add: ['SYS_ADMIN'],
        network_mode: 'host',
        pid: 'host',
        devices: [{ source: '/dev/fuse', target: '/dev/fuse', permissions: 'rwm' }],
        volumes: [
          { type: 'bind', source: '/var/run/docker.sock', target: '/var/run/docker.sock', read_only: true },
          { type: 'volume', source: 'data', target: '/var/lib/postgresql' },
        ],
        ports: [
          { target: 5432, published: '5432', protocol: 'tcp' },
          { target: 80, host_ip: '127.0.0.1', published: '8080' },
          { target: 9000 },
        ],
      },
      tools: { image: 'busybox', profiles: ['tools'] },
    },
    volumes: { data: { name: 'proj_data' } },
  }),
);

const LABELS = {
  'devrig.managed': 'true',
  'devrig.runner': 'r1',
  'devrig.uid': 'u1',
  'devrig.spec-hash': 's1',
};

function dev(over: Partial<DevServiceSettings> = {}): DevServiceSettings {
  return {
    containerEnv: {},
    mounts: [],
    overrideCommand: false,
    labels: { 'devrig.remote-user': 'vscode' },
    ...over,
  };
}

type Doc = { services: Record<string, Record<string, unknown>>; volumes?: Record<string, unknown> };

test("devrig's labels go on every service, the dev service's own only on it", () => {
  const o = composeOverride({ model, devService: 'dev', labels: LABELS, dev: dev() });
  const doc = o.document as Doc;
  assert.deepEqual(Object.keys(doc.services), ['dev', 'db', 'tools']);
  for (const name of ['db', 'tools']) {
    assert.deepEqual(doc.services[name]!.labels, { ...LABELS, [COMPOSE_SERVICE_LABEL]: name });
  }
  assert.deepEqual(doc.services.tools, { labels: { ...LABELS, [COMPOSE_SERVICE_LABEL]: 'tools' } });
  assert.deepEqual(doc.services.dev, {
    labels: { ...LABELS, [COMPOSE_SERVICE_LABEL]: 'dev', 'devrig.remote-user': 'vscode' },
  });
  assert.equal(doc.volumes, undefined);
});

test('ports published on every address are published on 127.0.0.1 instead, replacing the list, and said so', () => {
  const o = composeOverride({ model, devService: 'dev', labels: LABELS, dev: dev() });
  const doc = o.document as Doc;
  assert.deepEqual(doc.services.db!.ports, [
    { target: 5432, published: '5432', protocol: 'tcp', host_ip: '127.0.0.1' },
    { target: 80, host_ip: '127.0.0.1', published: '8080' },
    { target: 9000, host_ip: '127.0.0.1' },
  ]);
  assert.deepEqual(o.rebound, [
    'services.db.ports[0] "5432:5432" is published on 127.0.0.1 instead of every address',
    'services.db.ports[2] "9000" is published on 127.0.0.1 instead of every address',
  ]);
  assert.deepEqual(publishedPortNotes(model), o.rebound);
  // Compose appends a later file's ports to the earlier ones': the list is replaced with `!override`.
  assert.match(o.text, /^ {6}"ports": !override \[$/m);
  assert.deepEqual(JSON.parse(o.text.replace('!override ', '')), o.document);
});

test('devcontainer.json settings land on the dev service, with $ escaped for Compose', () => {
  const o = composeOverride({
    model,
    devService: 'dev',
    labels: { ...LABELS, 'devrig.spec-hash': 'a$b' },
    dev: dev({
      containerEnv: { PRICE: '$5', HOME_DIR: '${HOME}' },
      containerUser: 'vscode',
      init: true,
      privileged: true,
      capAdd: ['SYS_PTRACE'],
      securityOpt: ['seccomp=unconfined'],
      mounts: [
        { type: 'volume', source: 'cache', target: '/cache', readOnly: false },
        { type: 'volume', source: 'data', target: '/data', readOnly: true },
        { type: 'bind', source: '/home/u/.ssh', target: '/home/vscode/.ssh', readOnly: true },
        { type: 'tmpfs', target: '/tmp/x', readOnly: false },
      ],
      image: 'devrig/features:abc',
      gpus: true,
    }),
  });
  const d = (o.document as Doc).services.dev!;
  assert.deepEqual(d.environment, { PRICE: '$$5', HOME_DIR: '$${HOME}' });
  assert.equal((d.labels as Record<string, string>)['devrig.spec-hash'], 'a$$b');
  assert.equal(d.user, 'vscode');
  assert.equal(d.init, true);
  assert.equal(d.privileged, true);
  assert.deepEqual(d.cap_add, ['SYS_PTRACE']);
  assert.deepEqual(d.security_opt, ['seccomp=unconfined']);
  assert.equal(d.image, 'devrig/features:abc');
  assert.deepEqual(d.volumes, [
    { type: 'volume', source: 'cache', target: '/cache' },
    { type: 'volume', source: 'data', target: '/data', read_only: true },
    { type: 'bind', source: '/home/u/.ssh', target: '/home/vscode/.ssh', read_only: true },
    { type: 'tmpfs', target: '/tmp/x' },
  ]);
  // Only volumes the Compose files do not declare are declared (and so named <project>_<name>).
  assert.deepEqual((o.document as Doc).volumes, { cache: {} });
  assert.deepEqual(d.deploy, {
    resources: { reservations: { devices: [{ capabilities: ['gpu'], count: 'all' }] } },
  });
  assert.equal(d.entrypoint, undefined, 'without overrideCommand or entrypoints the service runs as written');
});

test('overrideCommand replaces the command with a keep-alive that ends on SIGTERM', () => {
  const d = (
    composeOverride({ model, devService: 'dev', labels: LABELS, dev: dev({ overrideCommand: true }) })
      .document as Doc
  ).services.dev!;
  assert.deepEqual(d.command, []);
  const [sh, c, script, dash] = d.entrypoint as string[];
  assert.deepEqual([sh, c, dash], ['/bin/sh', '-c', '-']);
  assert.match(script!, /trap "exit 0" TERM/);
  assert.match(script!, /while sleep 1000 & wait \$\$!; do :; done/);
  assert.doesNotMatch(script!, /exec "\$\$@"/);
});

test("Feature entrypoints run first, then the service's own command (Compose's entrypoint/command rules)", () => {
  const withImage = composeOverride({
    model,
    devService: 'dev',
    labels: LABELS,
    dev: dev({
      entrypoints: ['/usr/local/share/docker-init.sh'],
      imageCommand: { entrypoint: ['/init'], cmd: ['bash'] },
    }),
  });
  const d = (withImage.document as Doc).services.dev!;
  const entrypoint = d.entrypoint as string[];
  assert.deepEqual(entrypoint.slice(3), ['-', '/init']);
  assert.match(entrypoint[2]!, /\/usr\/local\/share\/docker-init\.sh\nexec "\$\$@"\n/);
  // The file sets a command, which wins over the image's CMD.
  assert.deepEqual(d.command, ['sleep', 'infinity']);
  assert.throws(
    () => composeOverride({ model, devService: 'dev', labels: LABELS, dev: dev({ entrypoints: ['x'] }) }),
    /ENTRYPOINT\/CMD are needed/,
  );
});

test('for a remote engine, bind mounts of the source folder become the workspace volume; subfolders are reported', () => {
  const o = composeOverride({
    model,
    devService: 'dev',
    labels: LABELS,
    dev: dev(),
    workspaceVolume: { folder: '/src', volume: 'devrig-web-abc-workspace' },
  });
  const doc = o.document as Doc;
  assert.deepEqual(doc.services.dev!.volumes, [
    { type: 'volume', source: 'devrig-web-abc-workspace', target: '/workspace' },
  ]);
  assert.deepEqual(doc.volumes, {
    'devrig-web-abc-workspace': { name: 'devrig-web-abc-workspace', external: true },
  });
  assert.deepEqual(o.unmappable, ['dev: /src/cache']);
  assert.equal(doc.services.db!.volumes, undefined, 'the socket mount is not under the folder');
});

test('a dev service that is not in the project is an error', () => {
  assert.throws(
    () => composeOverride({ model, devService: 'nope', labels: LABELS, dev: dev() }),
    /"nope" is not in the Compose project/,
  );
  assert.deepEqual(unknownServices(model, ['db', 'nope', 'constructor']), ['nope', 'constructor']);
});

test('services to run: runServices plus the dev service, else every service without a profile', () => {
  assert.deepEqual(servicesToRun(model, 'dev'), ['dev', 'db']);
  assert.deepEqual(servicesToRun(model, 'dev', ['db']), ['db', 'dev']);
  assert.deepEqual(servicesToRun(model, 'tools', []), ['tools']);
});

test('each service asks for host access in one normalised shape, with its provenance', () => {
  const [devReq, db, tools] = serviceContainerRequests(model);
  assert.deepEqual(devReq!.provenance, { origin: 'compose', name: 'dev' });
  assert.deepEqual(devReq!.bindMounts, [
    { source: '/src', target: '/workspace', readOnly: false },
    { source: '/src/cache', target: '/cache', readOnly: false },
  ]);
  assert.deepEqual(db, {
    provenance: { origin: 'compose', name: 'db' },
    privileged: true,
    capAdd: ['SYS_ADMIN'],
    securityOpt: [],
    devices: ['/dev/fuse:/dev/fuse:rwm'],
    network: 'host',
    pid: 'host',
    bindMounts: [{ source: '/var/run/docker.sock', target: '/var/run/docker.sock', readOnly: true }],
    publishedPorts: [
      { hostIp: '0.0.0.0', hostPort: '5432', containerPort: 5432, protocol: 'tcp' },
      { hostIp: '127.0.0.1', hostPort: '8080', containerPort: 80, protocol: 'tcp' },
      { hostIp: '0.0.0.0', containerPort: 9000, protocol: 'tcp' },
    ],
    volumesFrom: [],
  });
  assert.equal(tools!.privileged, false);
  assert.deepEqual(tools!.bindMounts, []);
});

function container(service: string, over: Partial<ContainerObservation> = {}): ContainerObservation {
  return {
    id: `id-${service}`,
    name: `proj-${service}-1`,
    state: 'running',
    running: true,
    startedAt: '2025-01-01T00:00:00Z',
    finishedAt: '',
    exitCode: 0,
    oomKilled: false,
    imageId: 'img',
    labels: {
      'com.docker.compose.service': service,
      'devrig.runner': 'r1',
      'devrig.uid': 'u1',
      'devrig.spec-hash': 's1',
      'devrig.config-hash': 'c1',
    },
    ...over,
  };
}

test('services are observed by their labels; one-off containers are not theirs', () => {
  const observed = observeServices(
    ['dev', 'db', 'tools'],
    ['dev', 'db'],
    [
      container('dev'),
      container('db', { state: 'exited', running: false, exitCode: 137 }),
      container('db', {
        id: 'oneoff',
        labels: { ...container('db').labels, 'com.docker.compose.oneoff': 'True' },
      }),
    ],
  );
  assert.deepEqual(
    observed.map((o) => [o.service, o.state, o.wanted, o.containerId ?? null]),
    [
      ['dev', 'running', true, 'id-dev'],
      ['db', 'exited', true, 'id-db'],
      ['tools', 'missing', false, null],
    ],
  );
  assert.equal(observed[0]!.startedAt, '2025-01-01T00:00:00Z');
  assert.equal(observed[1]!.exitCode, 137);
});

test('what to do: up for missing or stopped wanted services, recreate on a spec change, stop when stopped', () => {
  const healthy = observeServices(['dev', 'db', 'tools'], ['dev', 'db'], [container('dev'), container('db')]);
  assert.deepEqual(decideComposeAction({ desired: 'Running', observed: healthy, specHash: 's1' }), {
    type: 'none',
  });
  const dbGone = observeServices(['dev', 'db'], ['dev', 'db'], [container('dev')]);
  assert.deepEqual(decideComposeAction({ desired: 'Running', observed: dbGone, specHash: 's1' }), {
    type: 'up',
    reason: 'no container for db',
  });
  const dbStopped = observeServices(
    ['dev', 'db'],
    ['dev', 'db'],
    [container('dev'), container('db', { running: false, state: 'exited' })],
  );
  assert.deepEqual(decideComposeAction({ desired: 'Running', observed: dbStopped, specHash: 's1' }), {
    type: 'up',
    reason: 'db not running',
  });
  assert.deepEqual(decideComposeAction({ desired: 'Running', observed: healthy, specHash: 's2' }), {
    type: 'recreate',
    reason: 'the environment changed (dev, db)',
  });
  assert.deepEqual(
    decideComposeAction({
      desired: 'Running',
      observed: healthy,
      specHash: 's2',
      acceptedSpecHashes: ['s1'],
    }),
    {
      type: 'none',
    },
  );
  assert.deepEqual(decideComposeAction({ desired: 'Stopped', observed: healthy, specHash: 's1' }), {
    type: 'stop',
    reason: 'dev, db running',
  });
  assert.deepEqual(decideComposeAction({ desired: 'Stopped', observed: dbGone.slice(1), specHash: 's1' }), {
    type: 'none',
  });
  assert.deepEqual(configDriftedServices(healthy, 'c2'), ['dev', 'db']);
  assert.deepEqual(configDriftedServices(healthy, 'c1'), []);
});

test("containers of the project that are not this environment's are foreign", () => {
  const mine = container('dev');
  const byHand = container('db', { labels: { 'com.docker.compose.service': 'db' } });
  const otherRunner = container('x', { labels: { ...container('x').labels, 'devrig.runner': 'r2' } });
  assert.deepEqual(
    foreignContainers([mine, byHand, otherRunner], 'r1', 'u1').map(
      (c) => c.labels['com.docker.compose.service'],
    ),
    ['db', 'x'],
  );
});
