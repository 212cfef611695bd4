import { test } from 'node:test';
import assert from 'node:assert/strict';
import { environmentStatus, runnerStatus } from '../../../../extension/status/statusModel';
import { statusActions } from '../../../../extension/status/statusActions';
import { idleWarning } from '../../../../extension/environments/idleWarning';
import { cond, env } from '../../../helpers/resources';

test('environment status item: name with the phase icon; phase spelled out unless Running', () => {
  assert.equal(environmentStatus(env('api', 'Running'), true)!.text, '$(vm-running) api');
  assert.equal(environmentStatus(env('api', 'Stopped'), true)!.text, '$(debug-stop) api · Stopped');
  assert.equal(environmentStatus(env('api', 'Building'), true)!.text, '$(sync~spin) api · Building');
  const failed = environmentStatus(
    env('api', 'Failed', { conditions: [cond('ImageReady', 'False', 'PullFailed')] }),
    true,
  )!;
  assert.equal(failed.background, 'statusBarItem.errorBackground');
  assert.equal(environmentStatus(undefined, true)!.text, '$(vm-outline) devrig');
  assert.equal(environmentStatus(undefined, false), undefined, 'no config, no environment: no item');
});

test('runner status item: only while not connected', () => {
  assert.equal(runnerStatus({ kind: 'connected', version: '0.1.0', pid: 1 }, '/s'), undefined);
  assert.match(runnerStatus({ kind: 'connecting', attempt: 1 }, '/s')!.text, /sync~spin/);
  const d = runnerStatus({ kind: 'disconnected', attempt: 2, error: 'ECONNREFUSED', retryAt: 0 }, '/s')!;
  assert.equal(d.background, 'statusBarItem.warningBackground');
  assert.match(d.tooltip, /ECONNREFUSED/);
});

test('status actions fit the phase', () => {
  const labels = (e: Parameters<typeof statusActions>[0], remote = true) =>
    statusActions(e, true, remote).map((a) => a.command);
  assert.deepEqual(labels(undefined), [
    'devrig.reopenInEnvironment',
    'devrig.createEnvironmentFromWorkspace',
    'devrig.createEnvironment',
  ]);
  assert.deepEqual(
    statusActions(undefined, false, true).map((a) => a.command),
    ['devrig.createEnvironment'],
  );
  const running = labels(env('e', 'Running'));
  assert.deepEqual(running.slice(0, 3), [
    'devrig.reopenInEnvironment',
    'devrig.openInRemoteSshNewWindow',
    'devrig.openTerminal',
  ]);
  assert.ok(
    running.includes('devrig.reopenInEnvironment') &&
      running.includes('devrig.stop') &&
      !running.includes('devrig.start'),
  );
  const stopped = labels(env('e', 'Stopped'));
  // Stopped: Start comes first (issue 15), not Open.
  assert.equal(stopped[0], 'devrig.start');
  assert.ok(!stopped.includes('devrig.stop'));
  // Like the tree: open and terminal offer to start a stopped environment first.
  assert.ok(stopped.includes('devrig.reopenInEnvironment') && stopped.includes('devrig.openTerminal'));
  assert.ok(!labels(env('e', 'Stopping')).includes('devrig.start'), 'no Start while stopping');
  assert.ok(!labels(env('e', 'Unreachable')).includes('devrig.stop'), 'no Stop while unreachable');
  assert.deepEqual(labels(env('e', 'Deleting')), ['devrig.showLogs', 'devrig.showDetails']);
  const failed = labels(env('e', 'Failed'));
  assert.deepEqual(failed.slice(0, 3), ['devrig.retry', 'devrig.showLogs', 'devrig.showDetails']);
  assert.ok(
    !failed.includes('devrig.start') &&
      failed.includes('devrig.restart') &&
      failed.includes('devrig.showLogs'),
  );
  assert.match(statusActions(env('e', 'Running'), true, false)[0]!.label, /install Remote-SSH/);
  // Inside a window on the environment: Reopen Folder Locally instead of Reopen / New Window.
  const inside = statusActions(env('e', 'Running'), true, true, true).map((a) => a.command);
  assert.equal(inside[0], 'devrig.reopenFolderLocally');
  assert.ok(
    !inside.includes('devrig.reopenInEnvironment') && !inside.includes('devrig.openInRemoteSshNewWindow'),
  );
});

test('idle warning: only for a running environment with an idle stop, five minutes ahead', () => {
  const running = env('e', 'Running', { status: { idleStopAt: '2026-01-01T10:30:00.000Z' } });
  assert.deepEqual(idleWarning(running), {
    stopAt: Date.parse('2026-01-01T10:30:00.000Z'),
    warnAt: Date.parse('2026-01-01T10:25:00.000Z'),
  });
  assert.equal(idleWarning(env('e', 'Running')), undefined, 'no inactivity timeout');
  assert.equal(
    idleWarning(env('e', 'Stopped', { status: { idleStopAt: '2026-01-01T10:30:00.000Z' } })),
    undefined,
  );
  assert.equal(idleWarning(env('e', 'Running', { status: { idleStopAt: 'soon' } })), undefined);
  const actions = statusActions(running, true, true).map((a) => a.command);
  assert.ok(actions.includes('devrig.keepRunning'));
  assert.ok(!statusActions(env('e', 'Running'), true, true).some((a) => a.command === 'devrig.keepRunning'));
});
