import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeTimeout,
  idleDeadline,
  isIdle,
  worthPublishing,
} from '../../../../runner/activity/idlePolicy';
import { automationsCondition } from '../../../../runner/automations/automationsCondition';
import { failuresInARow, restartDelayMs } from '../../../../runner/automations/restartBackoff';
import type { AutomationStatus } from '../../../../runner/api';
import { configValue, withConfigValue } from '../../../../runner/config/runnerConfigFile';

test('idle: the deadline is the last activity plus the timeout', () => {
  assert.equal(idleDeadline(1000, 30_000), 31_000);
  assert.equal(isIdle(30_999, 1000, 30_000), false);
  assert.equal(isIdle(31_000, 1000, 30_000), true);
});

const publishing: [string, number | undefined, number, number, boolean][] = [
  ['first time', undefined, 5000, 6000, true],
  ['moved less than a second (short timeout)', 10_000, 10_900, 6000, false],
  ['moved a second (short timeout)', 10_000, 11_000, 6000, true],
  ['30m timeout: at most a minute off', 0, 59_999, 1_800_000, false],
  ['a 10h timeout still writes every minute', 0, 60_000, 36_000_000, true],
];
for (const [what, published, next, timeout, want] of publishing) {
  test(`worthPublishing: ${what}`, () => assert.equal(worthPublishing(published, next, timeout), want));
}

test('describeTimeout', () => {
  assert.deepEqual([6000, 90_000, 1_800_000, 7_200_000, 1500].map(describeTimeout), [
    '6s',
    '90s',
    '30m',
    '2h',
    '1500ms',
  ]);
});

const backoff: [string, number, number, number, number][] = [
  // [what, failures before, ran for ms, failures after, delay]
  ['a first quick death', 0, 100, 1, 1000],
  ['a second', 1, 100, 2, 2000],
  ['a fifth', 4, 100, 5, 16_000],
  ['capped', 9, 100, 10, 30_000],
  ['after a healthy run it starts over', 7, 60_000, 1, 1000],
];
for (const [what, before, ran, after, delay] of backoff) {
  test(`restart backoff: ${what}`, () => {
    const n = failuresInARow(before, ran);
    assert.equal(n, after);
    assert.equal(restartDelayMs(n), delay);
  });
}

const s = (
  kind: 'service' | 'task',
  id: string,
  phase: AutomationStatus['phase'],
  more = {},
): AutomationStatus => ({
  kind,
  id,
  name: id,
  phase,
  message: phase === 'Failed' ? 'exited with code 1; restarting in 2s' : '',
  restarts: 0,
  ...more,
});

const conditions: [string, AutomationStatus[], string | undefined, [string, string] | null][] = [
  ['no automations: no condition', [], undefined, null],
  ['invalid wins', [s('service', 'web', 'Ready')], 'file:1:1: bad', ['False', 'AutomationsInvalid']],
  [
    'a failing service',
    [s('service', 'web', 'Failed', { restarts: 2 }), s('task', 't', 'Failed')],
    undefined,
    ['False', 'ServiceFailing'],
  ],
  [
    'a failed task',
    [s('service', 'web', 'Ready'), s('task', 't', 'Failed')],
    undefined,
    ['False', 'TaskFailed'],
  ],
  [
    'still starting',
    [s('service', 'web', 'Running'), s('task', 't', 'Succeeded')],
    undefined,
    ['False', 'Starting'],
  ],
  [
    'all ready',
    [s('service', 'web', 'Ready'), s('service', 'off', 'Stopped'), s('task', 't', 'Pending')],
    undefined,
    ['True', 'Ready'],
  ],
];
for (const [what, statuses, invalid, want] of conditions) {
  test(`automationsCondition: ${what}`, () => {
    const c = automationsCondition(statuses, invalid);
    assert.deepEqual(c && [c.status, c.reason], want);
  });
}

test('automationsCondition messages name what is wrong', () => {
  assert.equal(
    automationsCondition([s('service', 'web', 'Failed', { restarts: 2 })])?.message,
    'service web exited with code 1; restarting in 2s (restarted 2 times)',
  );
  assert.equal(
    automationsCondition([s('service', 'web', 'Ready'), s('task', 't', 'Succeeded')])?.message,
    '1 of 1 services ready, 1 of 1 tasks succeeded',
  );
});

test('runner config: set, get and unset dotted keys; dotfiles need a repository', () => {
  let c = withConfigValue({}, 'dotfiles.repository', 'me/dotfiles');
  c = withConfigValue(c, 'dotfiles.targetPath', '~/.dots');
  assert.deepEqual(c, { dotfiles: { repository: 'me/dotfiles', targetPath: '~/.dots' } });
  assert.equal(configValue(c, 'dotfiles.targetPath'), '~/.dots');
  assert.deepEqual(withConfigValue(c, 'dotfiles.targetPath', undefined), {
    dotfiles: { repository: 'me/dotfiles' },
  });
  assert.deepEqual(withConfigValue(c, 'dotfiles.repository', undefined), {});
  assert.throws(
    () => withConfigValue({}, 'dotfiles.installCommand', 'make'),
    /cannot set dotfiles\.installCommand: dotfiles\.repository/,
  );
  assert.deepEqual(withConfigValue({ other: 1 } as never, 'dotfiles.repository', 'x'), {
    other: 1,
    dotfiles: { repository: 'x' },
  });
});
