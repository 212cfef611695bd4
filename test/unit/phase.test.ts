import { test } from 'node:test';
import assert from 'node:assert/strict';
import { derivePhase, type Condition } from '../../runner/api';
import { setCondition } from '../../runner/reconcile/conditions';

const c = (type: string, status: 'True' | 'False' | 'Unknown', reason = 'R'): Condition => ({
  type,
  status,
  reason,
  message: '',
  lastTransitionTime: '2026-01-01T00:00:00Z',
  observedGeneration: 1,
});

const cases: [string, Parameters<typeof derivePhase>[0], string][] = [
  ['no conditions yet', { desired: 'Running', deleting: false, conditions: [] }, 'Pending'],
  ['deleting wins', { desired: 'Running', deleting: true, conditions: [c('Ready', 'True')] }, 'Deleting'],
  [
    'ready',
    { desired: 'Running', deleting: false, conditions: [c('ImageReady', 'True'), c('Ready', 'True')] },
    'Running',
  ],
  [
    'pulling',
    { desired: 'Running', deleting: false, conditions: [c('ImageReady', 'False', 'Pulling')] },
    'Building',
  ],
  [
    'pull failed',
    { desired: 'Running', deleting: false, conditions: [c('ImageReady', 'False', 'PullFailed')] },
    'Failed',
  ],
  [
    'config invalid',
    { desired: 'Running', deleting: false, conditions: [c('ConfigValid', 'False', 'ConfigInvalid')] },
    'Failed',
  ],
  [
    'image ok, lifecycle running',
    {
      desired: 'Running',
      deleting: false,
      conditions: [c('ImageReady', 'True'), c('LifecycleComplete', 'False', 'Running')],
    },
    'Starting',
  ],
  [
    'postCreate failed',
    {
      desired: 'Running',
      deleting: false,
      conditions: [c('ImageReady', 'True'), c('LifecycleComplete', 'False', 'PostCreateCommandFailed')],
    },
    'Failed',
  ],
  [
    'stopping',
    { desired: 'Stopped', deleting: false, conditions: [c('ContainerRunning', 'True')] },
    'Stopping',
  ],
  [
    'stopped',
    { desired: 'Stopped', deleting: false, conditions: [c('ContainerRunning', 'False', 'Stopped')] },
    'Stopped',
  ],
  [
    'host unreachable',
    {
      desired: 'Running',
      deleting: false,
      conditions: [c('HostReachable', 'False', 'Unreachable'), c('Ready', 'True')],
    },
    'Unreachable',
  ],
  [
    'not scheduled',
    { desired: 'Running', deleting: false, conditions: [c('Scheduled', 'False', 'Unschedulable')] },
    'Pending',
  ],
  [
    'unsupported properties do not fail',
    {
      desired: 'Running',
      deleting: false,
      conditions: [
        c('ConfigSupported', 'False', 'UnsupportedProperties'),
        c('ImageReady', 'True'),
        c('Ready', 'True'),
      ],
    },
    'Running',
  ],
];

for (const [name, input, want] of cases) test(`phase: ${name}`, () => assert.equal(derivePhase(input), want));

test('setCondition keeps lastTransitionTime unless the status changes', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const t1 = new Date('2026-01-01T00:01:00Z');
  let cs = setCondition([], { type: 'Ready', status: 'False', reason: 'A', message: 'a' }, 1, t0);
  cs = setCondition(cs, { type: 'Ready', status: 'False', reason: 'B', message: 'b' }, 2, t1);
  assert.equal(cs[0]!.lastTransitionTime, t0.toISOString());
  assert.equal(cs[0]!.reason, 'B');
  assert.equal(cs[0]!.observedGeneration, 2);
  cs = setCondition(cs, { type: 'Ready', status: 'True', reason: 'Ready', message: '' }, 2, t1);
  assert.equal(cs[0]!.lastTransitionTime, t1.toISOString());
});
