import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  acquireLock,
  isProcessRunning,
  LockHeldError,
  lockText,
  parseLockText,
  processAlive,
  processStartTime,
  type ProcessIdentity,
} from '../../../../runner/state/lock';
import { removeProjects, tempDir } from '../../../helpers/project';
import { waitFor } from '../../../helpers/wait';

after(removeProjects);

const lockPath = () => join(tempDir('devrig-lock-'), 'runner.lock');

test('the lock holds pid and start time; release removes only our own lock', async () => {
  const path = lockPath();
  const lock = await acquireLock(path);
  const held = parseLockText(readFileSync(path, 'utf8'));
  assert.equal(held?.pid, process.pid);
  assert.equal(held?.startTime, processStartTime(process.pid));
  assert.match(held?.startTime ?? '', /^\d+$/, 'Linux gives the start time');
  await assert.rejects(acquireLock(path, { owner: { pid: 4242 }, isHolderAlive: () => true }), LockHeldError);
  await lock.release();
  assert.ok(!existsSync(path));
  assert.deepEqual(
    readdirSync(join(path, '..')).filter((f) => f !== 'runner.lock'),
    [],
    'no temp files left',
  );
});

test('parseLockText reads what older runners wrote (a pid alone) and ignores junk', () => {
  assert.deepEqual(parseLockText('123\n'), { pid: 123 });
  assert.deepEqual(parseLockText(lockText({ pid: 5, startTime: '99' })), { pid: 5, startTime: '99' });
  assert.equal(parseLockText(''), undefined);
  assert.equal(parseLockText('12ab\n'), undefined);
  assert.equal(parseLockText(undefined), undefined);
});

test('a live pid with another start time is a reused pid: its lock is stale', async (t) => {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  t.after(() => child.kill('SIGKILL'));
  await once(child, 'spawn');
  const pid = child.pid!;
  const started = processStartTime(pid)!;
  assert.ok(started, 'the child has a start time');
  assert.equal(isProcessRunning({ pid, startTime: started }), true);
  assert.equal(isProcessRunning({ pid, startTime: String(Number(started) + 1) }), false);
  assert.equal(isProcessRunning({ pid }), true, 'without a start time a live pid counts as running');

  const path = lockPath();
  writeFileSync(path, lockText({ pid, startTime: started }));
  await assert.rejects(acquireLock(path), (e) => e instanceof LockHeldError && e.pid === pid);

  // The same pid, but the lock was written by a process that started at another time.
  writeFileSync(path, lockText({ pid, startTime: String(Number(started) - 1) }));
  const lock = await acquireLock(path);
  assert.equal(parseLockText(readFileSync(path, 'utf8'))?.pid, process.pid);
  await lock.release();
});

test('two starters recovering one stale lock: the slower one puts back the lock it took by mistake', async () => {
  const path = lockPath();
  const crashed: ProcessIdentity = { pid: 999_001, startTime: '1' };
  const a: ProcessIdentity = { pid: 999_002, startTime: '2' };
  const b: ProcessIdentity = { pid: 999_003, startTime: '3' };
  const running = new Set([a.pid, b.pid]);
  const alive = (h: ProcessIdentity) => running.has(h.pid);
  writeFileSync(path, lockText(crashed));

  // B reads the crashed runner's lock and is about to judge it stale...
  let bChecked!: () => void;
  const bHasRead = new Promise<void>((r) => (bChecked = r));
  let resumeB!: () => void;
  const bMayGoOn = new Promise<void>((r) => (resumeB = r));
  const bWins = acquireLock(path, {
    owner: b,
    isHolderAlive: async (h) => {
      if (h.pid === crashed.pid) {
        bChecked();
        await bMayGoOn;
      }
      return alive(h);
    },
  });
  await bHasRead;
  // ...while A recovers it first and holds the lock.
  const lockA = await acquireLock(path, { owner: a, isHolderAlive: alive });
  assert.deepEqual(parseLockText(readFileSync(path, 'utf8')), a);

  // B goes on with its stale judgement: it moves A's fresh lock aside, sees it is not the stale one,
  // puts it back, and finds A holding the lock.
  resumeB();
  await assert.rejects(bWins, (e) => e instanceof LockHeldError && e.pid === a.pid);
  assert.deepEqual(parseLockText(readFileSync(path, 'utf8')), a, "A's lock is still in place");
  await lockA.release();
  assert.ok(!existsSync(path));
});

test('a holder that exited but was never reaped (a zombie) is gone: its lock is taken over', async (t) => {
  // The shell forks a child, then becomes `sleep` (exec), which never reaps anything; the child exits
  // once that happened (before, the shell could reap it): it stays a zombie, as a killed runner does
  // under such a parent. In the subshell $$ is still the shell's pid.
  const parent = spawn(
    '/bin/sh',
    ['-c', '(while [ "$(cat /proc/$$/comm)" != sleep ]; do sleep 0.01; done) & echo $!; exec sleep 60'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  t.after(() => parent.kill('SIGKILL'));
  const [line] = (await once(parent.stdout!, 'data')) as [Buffer];
  const pid = Number(line.toString().trim());
  assert.ok(pid > 0);
  const started = processStartTime(pid);
  await waitFor('the child to be a zombie', () =>
    /^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8')),
  );
  assert.doesNotThrow(() => process.kill(pid, 0), 'signal 0 still reaches a zombie');
  assert.equal(processAlive(pid), false);
  assert.equal(isProcessRunning({ pid, startTime: started }), false);

  const path = lockPath();
  writeFileSync(path, lockText({ pid, startTime: started }));
  const lock = await acquireLock(path);
  assert.equal(parseLockText(readFileSync(path, 'utf8'))?.pid, process.pid);
  await lock.release();
});
