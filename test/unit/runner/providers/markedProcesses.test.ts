import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { MARKED_PIDS_FUNCTION, SIGNAL_MARKED_SCRIPT } from '../../../../runner/providers/markedProcesses';
import { waitFor } from '../../../helpers/wait';

const sleeper = (env: NodeJS.ProcessEnv) => {
  const child = spawn('/bin/sh', ['-c', 'sleep 60 & wait'], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  return { child, exited: once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]> };
};

test('the marker scan finds a process tree by its variable and signals it, and nothing else', async (t) => {
  const marker = `MARKED_TEST=${process.pid}-${Date.now()}`;
  const marked = sleeper({ MARKED_TEST: marker.split('=')[1] });
  const other = sleeper({ MARKED_TEST: 'someone-else' });
  t.after(() => {
    marked.child.kill('SIGKILL');
    other.child.kill('SIGKILL');
  });
  await Promise.all([once(marked.child, 'spawn'), once(other.child, 'spawn')]);

  const pids = () =>
    execFileSync('/bin/sh', ['-c', `${MARKED_PIDS_FUNCTION}\nmarked "$1"`, 'sh', marker], {
      encoding: 'utf8',
    })
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  // The shell and its sleep: the whole tree carries the marker.
  const found = pids();
  assert.ok(found.includes(marked.child.pid!), `${found} holds the marked shell`);
  assert.ok(!found.includes(other.child.pid!));
  assert.ok(found.length >= 2, 'its child too');

  execFileSync('/bin/sh', ['-c', SIGNAL_MARKED_SCRIPT, 'sh', 'TERM', marker]);
  assert.deepEqual((await marked.exited)[1], 'SIGTERM');
  assert.equal(other.child.exitCode, null, 'the unmarked process still runs');
  await waitFor('its sleep to be gone too (it got the signal)', () => pids().length === 0, 5_000);
  // Nothing to signal is not an error.
  execFileSync('/bin/sh', ['-c', SIGNAL_MARKED_SCRIPT, 'sh', 'TERM', marker]);
});
