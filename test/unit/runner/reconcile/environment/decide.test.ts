import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideContainerAction, configDrift } from '../../../../../runner/reconcile/environment/decide';

const labels = (hash: string, config = 'c1') => ({ 'devrig.spec-hash': hash, 'devrig.config-hash': config });
const obs = (
  o: Partial<{ state: string; running: boolean; hash: string; oomKilled: boolean; exitCode: number }>,
) => ({
  state: (o.state ?? 'running') as never,
  running: o.running ?? true,
  labels: labels(o.hash ?? 'h1'),
  oomKilled: o.oomKilled ?? false,
  exitCode: o.exitCode ?? 0,
});

const cases: [string, Parameters<typeof decideContainerAction>[0], string][] = [
  ['nothing exists → create', { desired: 'Running', envHash: 'h1', restartRequested: false }, 'create'],
  [
    'running and matching → none',
    { desired: 'Running', observed: obs({}), envHash: 'h1', restartRequested: false },
    'none',
  ],
  [
    'spec hash differs → recreate',
    { desired: 'Running', observed: obs({ hash: 'h0' }), envHash: 'h1', restartRequested: false },
    'recreate',
  ],
  [
    'exited → start',
    {
      desired: 'Running',
      observed: obs({ state: 'exited', running: false }),
      envHash: 'h1',
      restartRequested: false,
    },
    'start',
  ],
  [
    'created, never started → start',
    {
      desired: 'Running',
      observed: obs({ state: 'created', running: false }),
      envHash: 'h1',
      restartRequested: false,
    },
    'start',
  ],
  [
    'paused → unpause',
    {
      desired: 'Running',
      observed: obs({ state: 'paused', running: true }),
      envHash: 'h1',
      restartRequested: false,
    },
    'unpause',
  ],
  [
    'dead → recreate',
    {
      desired: 'Running',
      observed: obs({ state: 'dead', running: false }),
      envHash: 'h1',
      restartRequested: false,
    },
    'recreate',
  ],
  [
    'restart token → restart',
    { desired: 'Running', observed: obs({}), envHash: 'h1', restartRequested: true },
    'restart',
  ],
  [
    'exited and spec changed → recreate first',
    {
      desired: 'Running',
      observed: obs({ state: 'exited', running: false, hash: 'h0' }),
      envHash: 'h1',
      restartRequested: false,
    },
    'recreate',
  ],
  [
    'stopped desired, running → stop',
    { desired: 'Stopped', observed: obs({}), envHash: 'h1', restartRequested: false },
    'stop',
  ],
  [
    'stopped desired, paused → stop',
    { desired: 'Stopped', observed: obs({ state: 'paused' }), envHash: 'h1', restartRequested: false },
    'stop',
  ],
  [
    'stopped desired, exited → none',
    {
      desired: 'Stopped',
      observed: obs({ state: 'exited', running: false }),
      envHash: 'h1',
      restartRequested: false,
    },
    'none',
  ],
  [
    'stopped desired, spec changed → none (no recreate while stopped)',
    {
      desired: 'Stopped',
      observed: obs({ state: 'exited', running: false, hash: 'h0' }),
      envHash: 'h1',
      restartRequested: false,
    },
    'none',
  ],
  [
    'stopped desired, nothing exists → none',
    { desired: 'Stopped', envHash: 'h1', restartRequested: false },
    'none',
  ],
];

for (const [name, input, want] of cases) {
  test(`decide: ${name}`, () => assert.equal(decideContainerAction(input).type, want));
}

test('decide: the reason says why a stopped container is started', () => {
  const a = decideContainerAction({
    desired: 'Running',
    observed: obs({ state: 'exited', running: false, oomKilled: true }),
    envHash: 'h1',
    restartRequested: false,
  });
  assert.equal(a.type === 'start' && a.reason, 'the container ran out of memory');
});

test('config drift is reported only for an existing container whose config hash differs', () => {
  assert.equal(configDrift(undefined, 'c1'), false);
  assert.equal(configDrift({ labels: labels('h', 'c1') }, 'c1'), false);
  assert.equal(configDrift({ labels: labels('h', 'c1') }, 'c2'), true);
});
