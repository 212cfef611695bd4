import { test } from 'node:test';
import assert from 'node:assert/strict';
import { derivePhase, type Condition } from '../../../../runner/api';
import { setCondition } from '../../../../runner/api/setCondition';

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

test('the catalogue classifies reasons per condition, and a reason nothing lists as a failure', async () => {
  const { reasonKind, ENVIRONMENT_CONDITIONS, GATING_CONDITIONS, conditionWriter } =
    await import('../../../../runner/api');
  const k = (type: string, status: 'True' | 'False' | 'Unknown', reason: string) =>
    reasonKind({ type, status, reason });
  assert.equal(k('ImageReady', 'False', 'Pulling'), 'progress');
  assert.equal(k('ImageReady', 'False', 'PullFailed'), 'failure');
  assert.equal(k('ContainerRunning', 'False', 'Stopped'), 'success');
  assert.equal(k('DotfilesInstalled', 'False', 'Installing'), 'progress');
  assert.equal(k('Ready', 'False', 'Waiting'), 'progress', 'Ready mirrors the step it waits on');
  assert.equal(k('ImageReady', 'False', 'SomethingNew'), 'failure', 'never hangs a wait');
  assert.equal(k('Custom', 'True', 'Fine'), 'success');
  assert.deepEqual(GATING_CONDITIONS, [
    'ConfigValid',
    'HostAccessAllowed',
    'InitializeCommandAllowed',
    'ImageReady',
    'FeaturesReady',
    'WorkspaceReady',
    'ContainerRunning',
    'LifecycleComplete',
  ]);
  assert.equal(conditionWriter('AutomationsReady'), 'automations');
  assert.equal(conditionWriter('Active'), 'activity');
  assert.equal(conditionWriter('ImageReady'), 'reconciler');
  for (const [type, def] of Object.entries(ENVIRONMENT_CONDITIONS)) {
    assert.ok(
      Object.values(def.reasons).includes('success'),
      `${type} has a reason for having reached its goal`,
    );
  }
});

test('environmentOutcome: done, failed for this generation, or still on its way', async () => {
  const { environmentOutcome } = await import('../../../../runner/api');
  const { env, cond } = await import('../../../helpers/resources');
  const cases: [string, Parameters<typeof environmentOutcome>[0], string][] = [
    ['running, observed', env('e', 'Running', { generation: 2 }), 'done'],
    ['running, not observed yet', env('e', 'Running', { generation: 2, observedGeneration: 1 }), 'progress'],
    ['stopped when wanted running', env('e', 'Stopped', { state: 'Running' }), 'progress'],
    [
      'failed at an older generation',
      env('e', 'Failed', {
        generation: 3,
        observedGeneration: 2,
        conditions: [cond('ImageReady', 'False', 'PullFailed', 'no registry', 2)],
      }),
      'progress',
    ],
    [
      'failed for this generation (retrying: not observed)',
      env('e', 'Failed', {
        generation: 3,
        observedGeneration: 2,
        conditions: [cond('ImageReady', 'False', 'PullFailed', 'no registry', 3)],
      }),
      'failed:PullFailed',
    ],
    [
      'failed, observed, the failing condition older (a terminal error kept)',
      env('e', 'Failed', {
        generation: 3,
        conditions: [cond('LifecycleComplete', 'False', 'PostCreateCommandFailed', 'exit 1', 2)],
      }),
      'failed:PostCreateCommandFailed',
    ],
  ];
  for (const [what, e, expected] of cases) {
    const o = environmentOutcome(e);
    assert.equal(o.state === 'failed' ? `failed:${o.reason}` : o.state, expected, what);
  }
  assert.equal(environmentOutcome(env('e', 'Stopped'), 'Stopped').state, 'done');
});

test('an image step aborted by Cancel (spec → Stopped) leaves the environment Stopped, not Failed', () => {
  const conditions = [
    {
      type: 'ImageReady',
      status: 'False',
      reason: 'Aborted',
      message: 'stopped before the image was ready: aborted',
    },
  ] as Condition[];
  assert.equal(derivePhase({ desired: 'Stopped', deleting: false, conditions }), 'Stopped');
  // Before this reason existed the abort was written as BuildFailed: Failed, and it stayed so.
  const failed = [{ ...conditions[0]!, reason: 'BuildFailed' }] as Condition[];
  assert.equal(derivePhase({ desired: 'Stopped', deleting: false, conditions: failed }), 'Failed');
});
