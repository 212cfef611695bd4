import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  EXIT_LINE,
  findLiveServices,
  followService,
  launchService,
  SERVICE_MARKER,
  stopProcessTree,
} from '../../../../runner/automations/serviceScripts';

// The scripts run here as they would on a host without /var/lib/devrig/services (a plain host):
// their files go under $HOME, a temporary folder.
const run = promisify(execFile);

function sandbox() {
  const home = mkdtempSync(join(tmpdir(), 'devrig-svc-'));
  const env = { PATH: process.env.PATH, HOME: home };
  const sh = (argv: string[], extra: Record<string, string> = {}) =>
    run(argv[0]!, argv.slice(1), { env: { ...env, ...extra } });
  /** Starts a run in the background and follows it to its end. */
  const start = (id: string, token: string, command: string) => {
    const [cmd, ...args] = launchService('scope1', id, token, command);
    const child = spawn(cmd!, args, { env: { ...env, [SERVICE_MARKER]: token }, stdio: 'ignore' });
    const [fcmd, ...fargs] = followService('scope1', id, token, '+1');
    const followed = run(fcmd!, fargs, { env });
    return { child, followed };
  };
  return { home, sh, start, cleanup: () => rmSync(home, { recursive: true, force: true }) };
}

test('service scripts: a run that exits is followed to its end with its exit code', async () => {
  const s = sandbox();
  try {
    const { followed } = s.start('once', 'once.t1', 'echo hello; echo oops >&2; exit 7');
    const { stdout, stderr } = await followed;
    assert.deepEqual(stdout.split('\n').filter(Boolean).sort(), ['hello', 'oops']);
    assert.match(stderr.trim(), EXIT_LINE);
    assert.equal(EXIT_LINE.exec(stderr.trim())?.[1], '7');
  } finally {
    s.cleanup();
  }
});

test('service scripts: a live run is found by its token, and stopping ends its whole tree', async () => {
  const s = sandbox();
  try {
    // A child that outlives its shell's wait would be an orphan holding ports: it must go too.
    const { followed } = s.start('web', 'web.t2', 'sleep 300 & echo started; wait');
    const found = async () => (await s.sh(findLiveServices('scope1', ['web', 'other']))).stdout;
    for (let i = 0; i < 100 && !(await found()).includes('web'); i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.equal(await found(), 'web web.t2\n');
    await s.sh(stopProcessTree('web.t2', 2));
    const { stdout, stderr } = await followed;
    assert.equal(stdout, 'started\n');
    assert.equal(EXIT_LINE.exec(stderr.trim())?.[1], '?', 'killed: no exit code recorded');
    assert.equal(await found(), '');
    const left = await s.sh([
      '/bin/sh',
      '-c',
      `grep -l "${SERVICE_MARKER}=web.t2" /proc/[0-9]*/environ 2>/dev/null || true`,
    ]);
    assert.equal(left.stdout, '');
  } finally {
    s.cleanup();
  }
});

test('service scripts: the pid file of a finished run is not a live run', async () => {
  const s = sandbox();
  try {
    await s.start('web', 'web.old', 'exit 0').followed;
    assert.equal((await s.sh(findLiveServices('scope1', ['web']))).stdout, '');
  } finally {
    s.cleanup();
  }
});
