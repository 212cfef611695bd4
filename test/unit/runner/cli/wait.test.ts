import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventOf } from '../../../../runner/api/protocol';
import type { RunnerClient } from '../../../../runner/client/runnerClient';
import { waitForEnvironment } from '../../../../runner/cli/wait';
import { cond, env } from '../../../helpers/resources';

/** A client whose one watch stream delivers `events` once it has started. */
function clientSending(events: EventOf<'watch'>[]): RunnerClient {
  const client = {
    stream(_method: string, _params: unknown, onEvent: (e: EventOf<'watch'>) => void) {
      queueMicrotask(() => events.forEach(onEvent));
      return Promise.resolve({
        id: 1,
        result: {},
        done: new Promise<void>(() => {}),
        cancel: async () => {},
      });
    },
  };
  return client as unknown as RunnerClient;
}

const failed = env('e', 'Failed', {
  conditions: [cond('ImageReady', 'False', 'PullFailed', 'pulling x: The operation was aborted')],
});

test('waiting for a deletion: an error reported while deleting does not fail the wait', async () => {
  const deleting = env('e', 'Failed', { deleting: true, conditions: failed.status.conditions });
  const outcome = await waitForEnvironment(
    clientSending([
      { type: 'MODIFIED', object: failed },
      { type: 'MODIFIED', object: deleting },
      { type: 'DELETED', object: deleting },
    ]),
    'e',
    1,
    'Deleted',
    5000,
  );
  assert.equal(outcome.ok, true);
});

test('waiting for a deletion that does not end: the timeout names the last error', async () => {
  const stuck = env('e', 'Deleting', {
    deleting: true,
    status: { lastError: 'removing the container: busy' },
  });
  const outcome = await waitForEnvironment(
    clientSending([{ type: 'MODIFIED', object: stuck }]),
    'e',
    1,
    'Deleted',
    50,
  );
  assert.equal(outcome.ok, false);
  assert.match(
    !outcome.ok ? outcome.message : '',
    /not Deleted after 0s \(last error: removing the container: busy\)/,
  );
});

test('waiting for Running: a failure for this generation ends the wait with its reason', async () => {
  const outcome = await waitForEnvironment(
    clientSending([{ type: 'MODIFIED', object: failed }]),
    'e',
    1,
    'Running',
    5000,
  );
  assert.deepEqual(outcome.ok ? undefined : outcome.reason, 'PullFailed');
});
