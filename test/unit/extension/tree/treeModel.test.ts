import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EnvironmentPhase } from '../../../../runner/api';
import {
  buildTree,
  environmentNode,
  LOCAL_HOST_LABEL,
  type ViewNode,
} from '../../../../extension/tree/treeModel';
import { cond, env, host } from '../../../helpers/resources';

const connected = { kind: 'connected' } as const;

function find(nodes: ViewNode[], id: string): ViewNode | undefined {
  for (const n of nodes) {
    if (n.id === id) return n;
    const hit = find(n.children, id);
    if (hit) return hit;
  }
  return undefined;
}

test('before the first list: a "connecting" message, never the welcome view', () => {
  const roots = buildTree({
    connection: { kind: 'connecting' },
    hasData: false,
    environments: [],
    hosts: [],
  });
  assert.equal(roots.length, 1);
  assert.equal(roots[0]!.kind, 'message');
  assert.match(roots[0]!.label, /Connecting to the devrig runner/);
  assert.equal(roots[0]!.icon?.id, 'sync~spin');
});

test('cannot reach the runner: the error, clickable to the runner log', () => {
  const roots = buildTree({
    connection: { kind: 'disconnected', error: 'ECONNREFUSED' },
    hasData: false,
    environments: [],
    hosts: [],
  });
  assert.equal(roots.length, 1);
  assert.match(roots[0]!.label, /Cannot reach/);
  assert.equal(roots[0]!.description, 'ECONNREFUSED');
  assert.equal(roots[0]!.command?.id, 'devrig.runner.showLog');
});

test('connected with nothing: an empty tree, so the welcome content shows', () => {
  assert.deepEqual(buildTree({ connection: connected, hasData: true, environments: [], hosts: [] }), []);
});

test('the tree is empty (welcome view) only when connected, listed and there is nothing: else a banner', () => {
  const connections = [
    { kind: 'connecting' },
    { kind: 'connected' },
    { kind: 'disconnected', error: 'ECONNREFUSED' },
  ] as const;
  for (const connection of connections) {
    for (const hasData of [false, true]) {
      const roots = buildTree({ connection, hasData, environments: [], hosts: [] });
      const empty = connection.kind === 'connected' && hasData;
      assert.equal(roots.length === 0, empty, `${connection.kind}, hasData ${hasData}`);
      if (!empty) assert.equal(roots[0]!.kind, 'message', `${connection.kind}, hasData ${hasData}`);
    }
  }
  // Connected but not listed yet: not the "no environments" welcome.
  const loading = buildTree({ connection: connected, hasData: false, environments: [], hosts: [] });
  assert.match(loading[0]!.label, /Loading/);
});

test('hosts → environments, local first, environments sorted, grouped by spec.host', () => {
  const roots = buildTree({
    connection: connected,
    hasData: true,
    environments: [
      env('zeta', 'Running'),
      env('alpha', 'Stopped'),
      env('remote-one', 'Running', { host: 'box' }),
    ],
    hosts: [host('box', 'Ready')],
  });
  assert.deepEqual(
    roots.map((r) => [r.id, r.label, r.children.map((c) => c.label)]),
    [
      ['host:local', LOCAL_HOST_LABEL, ['alpha', 'zeta']],
      ['host:box', 'box', ['remote-one']],
    ],
  );
  assert.equal(roots[0]!.description, '2 environments');
  assert.equal(roots[0]!.contextValue, 'host.local');
  assert.equal(roots[1]!.contextValue, 'host.remote.ready');
  assert.equal(roots[1]!.collapsible, 'expanded');
});

test('an environment on a host the runner does not list still shows, under that name', () => {
  const roots = buildTree({
    connection: connected,
    hasData: true,
    environments: [env('e', 'Unreachable', { host: 'gone' })],
    hosts: [],
  });
  const gone = roots.find((r) => r.id === 'host:gone')!;
  assert.equal(gone.icon?.id, 'question');
  assert.deepEqual(
    gone.children.map((c) => c.label),
    ['e'],
  );
});

test('a host waiting for its key to be accepted says so in its contextValue (for the Accept menu)', () => {
  const roots = buildTree({
    connection: connected,
    hasData: true,
    environments: [],
    hosts: [host('box', 'Pending', { observedHostKey: 'ssh-ed25519 AAAA' })],
  });
  const box = roots.find((r) => r.id === 'host:box')!;
  assert.equal(box.contextValue, 'host.remote.pending.keyPending');
  assert.match(box.description!, /host key to accept/);
});

test('disconnected after data: a banner on top, the last known tree kept below', () => {
  const roots = buildTree({
    connection: { kind: 'disconnected', error: 'connection closed' },
    hasData: true,
    environments: [env('a', 'Running')],
    hosts: [],
  });
  assert.equal(roots[0]!.kind, 'message');
  assert.match(roots[0]!.label, /disconnected/);
  assert.equal(find(roots, 'env:a')?.icon?.id, 'vm-running');
});

test('environment rows: icon, colour, contextValue and description by phase (table)', () => {
  const rows: [EnvironmentPhase, string, string | undefined, string][] = [
    ['Pending', 'clock', undefined, 'environment.pending'],
    ['Building', 'sync~spin', undefined, 'environment.building'],
    ['Starting', 'sync~spin', undefined, 'environment.starting'],
    ['Running', 'vm-running', 'charts.green', 'environment.running'],
    ['Stopping', 'sync~spin', undefined, 'environment.stopping'],
    ['Stopped', 'debug-stop', undefined, 'environment.stopped'],
    ['Failed', 'error', 'errorForeground', 'environment.failed'],
    ['Deleting', 'sync~spin', undefined, 'environment.deleting'],
    ['Unreachable', 'debug-disconnect', 'list.warningForeground', 'environment.unreachable'],
  ];
  for (const [phase, icon, color, contextValue] of rows) {
    const n = environmentNode(env('e', phase));
    assert.equal(n.icon?.id, icon, phase);
    assert.equal(n.icon?.color, color, phase);
    assert.equal(n.contextValue, contextValue, phase);
    assert.equal(n.description, phase, phase);
    assert.equal(n.command?.id, 'devrig.showDetails');
    assert.deepEqual(n.command?.args, ['e']);
  }
});

test('description adds a short reason: what it is doing, or why it failed', () => {
  const building = env('e', 'Building', {
    conditions: [
      cond('Ready', 'False', 'Building', 'preparing the image'),
      cond('ImageReady', 'False', 'Pulling', 'looking for x'),
    ],
  });
  assert.equal(environmentNode(building).description, 'Building · preparing the image');
  const failed = env('e', 'Failed', {
    conditions: [
      cond('Ready', 'False', 'ImageNotFound', 'no such image'),
      cond('ImageReady', 'False', 'ImageNotFound', 'no such image: foo:1'),
    ],
  });
  const n = environmentNode(failed);
  assert.equal(n.description, 'Failed · image not found');
  assert.equal(n.collapsible, 'expanded', 'a failure is expanded to show its condition');
  const child = n.children.find((c) => c.kind === 'condition')!;
  assert.equal(child.label, 'ImageReady: image not found');
  assert.equal(child.description, 'no such image: foo:1');
  assert.equal(child.icon?.id, 'error');
  assert.equal(child.contextValue, 'condition.false');
});

test('children: forwarded ports, automations and unhealthy conditions; progress and Ready are not "unhealthy"', () => {
  const e = env('web', 'Running', {
    conditions: [
      cond('Ready', 'True', 'Ready'),
      cond('ContainerRunning', 'True', 'Running'),
      cond('ConfigSupported', 'False', 'UnsupportedProperties', 'features is not supported'),
      cond('LifecycleComplete', 'False', 'Running', 'running postStartCommand'),
      cond('AutomationsReady', 'Unknown', 'ProbeTimeout', 'ready probe timed out'),
    ],
    status: {
      ports: [
        { port: 3000, protocol: 'tcp', label: 'web', source: 'config', localPort: 49152, state: 'Forwarded' },
        { port: 5432, protocol: 'tcp', source: 'detected', state: 'Error', message: 'address in use' },
      ],
      automations: [
        { kind: 'service', id: 'db', name: 'Database', phase: 'Ready', message: '', restarts: 2 },
      ],
    },
  });
  const n = environmentNode(e);
  assert.equal(n.collapsible, 'collapsed');
  assert.deepEqual(
    n.children.map((c) => [c.kind, c.label, c.description, c.contextValue]),
    [
      ['port', '3000 (web)', '127.0.0.1:49152', 'port.forwarded'],
      ['port', '5432', 'error · address in use', 'port.error'],
      ['automation', 'Database', 'Ready · 2 restarts', 'automation.service.ready'],
      [
        'condition',
        'ConfigSupported: unsupported properties',
        'features is not supported',
        'condition.false',
      ],
      ['condition', 'AutomationsReady: probe timeout', 'ready probe timed out', 'condition.unknown'],
    ],
  );
  assert.deepEqual(n.children[0]!.command, {
    id: 'devrig.openPort',
    title: 'Open in Browser',
    args: ['web', 3000],
  });
  assert.equal(n.children[1]!.command, undefined, 'only forwarded ports open');
  assert.equal(new Set(n.children.map((c) => c.id)).size, n.children.length, 'child ids are unique');
});

test('tooltips are markdown with resource text escaped', () => {
  const e = env('e', 'Failed', {
    folder: '/src/[x](command:evil)',
    conditions: [cond('ConfigValid', 'False', 'ParseError', '[click](command:workbench.action.quit) *bold*')],
  });
  const t = environmentNode(e).tooltip!;
  assert.match(t, /\*\*e\*\* — Failed/);
  assert.ok(!t.includes('[click](command:'), t);
  assert.ok(t.includes('\\[click\\]\\(command:workbench\\.action\\.quit\\)'), t);
  assert.ok(t.includes('`ssh devrig-e`'));
});

test('a Compose environment: its services first, each with its state, icon and the dev service marked', () => {
  const node = environmentNode(
    env('c3', 'Running', {
      status: {
        composeProject: 'proj',
        services: [
          { name: 'dev', state: 'running', wanted: true, dev: true, containerName: 'proj-dev-1' },
          { name: 'db', state: 'exited', wanted: true, exitCode: 137 },
          { name: 'extra', state: 'missing', wanted: false },
        ],
      },
    }),
  );
  assert.deepEqual(
    node.children.map((c) => [c.kind, c.label, c.description, c.icon?.id]),
    [
      ['service', 'dev', 'dev service · running', 'vm-running'],
      ['service', 'db', 'exited (exit code 137)', 'vm-outline'],
      ['service', 'extra', 'not started (not in runServices)', 'circle-slash'],
    ],
  );
  assert.equal(node.collapsible, 'collapsed');
  assert.match(node.children[0]!.tooltip!, /Container `proj-dev-1`/);
});
