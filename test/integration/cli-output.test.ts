import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Environment } from '../../runner/api';
import { BROKEN_PIPE_EXIT_CODE } from '../../runner/cli/exitWhenFlushed';
import { BASE_IMAGE, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects } from '../helpers/project';
import { CLI_JS, cleanupRunner, startRunner, testEnv, type TestRunner } from '../helpers/runnerProcess';
import { runCliIntoPausedReader } from '../helpers/slowReader';
import { watchUntil } from '../helpers/wait';

const FIVE_MB = 5_000_000;
const LINE = ' the quick brown fox jumps over the lazy dog';
/** 100000 lines of 51 bytes: 5.1 MB, and what the command below prints. */
const BIG_COMMAND = `seq 100000 199999 | sed 's/$/${LINE}/'`;
/**
 * 60000 of those lines for a task: 3.1 MB of output, 4.6 MB stored once each line carries its time —
 * under the 5 MiB at which a log file is rotated (what a non-following read returns is the current file).
 */
const TASK_COMMAND = `seq 100000 159999 | sed 's/$/${LINE}/'`;
const THREE_MB = 3_000_000;
const bigText = () => {
  let s = '';
  for (let i = 100000; i <= 199999; i++) s += `${i}${LINE}\n`;
  return s;
};

const cliEnv = (r: TestRunner) => ({ ...testEnv(), DEVRIG_STATE_DIR: r.stateDir });

/** What the runner's API says the log holds: what the CLI must print, byte for byte. */
async function apiLog(r: TestRunner, name: string, source: string): Promise<Buffer> {
  let text = '';
  const h = await r.client.stream('logs', { name, source, follow: false }, (e) => (text += e.data));
  await h.done;
  return Buffer.from(text);
}

/** Byte-exact, with a readable message (not 5 MB of diff). */
function assertSameBytes(actual: Buffer, expected: Buffer, what: string): void {
  if (actual.equals(expected)) return;
  let i = 0;
  while (i < Math.min(actual.length, expected.length) && actual[i] === expected[i]) i++;
  assert.fail(
    `${what}: ${actual.length} bytes instead of ${expected.length}, first difference at byte ${i}: ` +
      `${JSON.stringify(actual.subarray(Math.max(0, i - 80), i + 40).toString())} instead of ` +
      `${JSON.stringify(expected.subarray(Math.max(0, i - 80), i + 40).toString())}`,
  );
}

// `devrig … | less`, `| jq`, `| head`: a pipe's reader may be slower than devrig, and output must never
// be cut because the command finished first.
describe('CLI output into a pipe whose reader pauses', () => {
  let r: TestRunner;
  const name = 'pipes';

  before(async () => {
    await requireDocker();
    r = await startRunner();
    const folder = makeProject(
      { image: BASE_IMAGE, remoteUser: 'vscode' },
      { '.devrig/automations.yaml': `tasks:\n  big:\n    command: "${TASK_COMMAND}"\n` },
    );
    const up = await r.cli(['up', folder, '--name', name]);
    assert.equal(up.code, 0, up.stderr);
    const run = await r.cli(['automations', 'run', name, 'big']);
    assert.equal(run.code, 0, run.stderr);
  });
  after(async () => {
    await cleanupRunner(r);
    removeProjects();
  });

  test('logs and automations logs: 3 MB, byte-exact', async () => {
    const expected = await apiLog(r, name, 'task:big');
    assert.ok(expected.length >= THREE_MB, `the task log holds ${expected.length} bytes`);
    for (const args of [
      ['logs', name, '--source', 'task:big'],
      ['automations', 'logs', name, 'big'],
    ]) {
      const res = await runCliIntoPausedReader(args, cliEnv(r));
      assert.equal(res.code, 0, res.stderr);
      assertSameBytes(res.stdout, expected, `devrig ${args.join(' ')}`);
    }
  });

  test('exec -- output: 5 MB, byte-exact', async () => {
    const res = await runCliIntoPausedReader(['exec', name, '--', 'sh', '-c', BIG_COMMAND], cliEnv(r));
    assert.equal(res.code, 0, res.stderr);
    assertSameBytes(res.stdout, Buffer.from(bigText()), 'devrig exec');
  });

  test('a reader that goes away (`| head`) ends the command at once and quietly', async () => {
    const child = spawn(process.execPath, [CLI_JS, 'logs', name, '--source', 'task:big'], {
      env: cliEnv(r),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await once(child.stdout, 'data');
    child.stdout.destroy();
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, BROKEN_PIPE_EXIT_CODE, stderr);
    assert.equal(stderr, '', 'no stack trace, no EPIPE message');
  });
});

describe('CLI JSON output through a pipe whose reader pauses', () => {
  let r: TestRunner;
  const names = ['big-1', 'big-2', 'big-3', 'big-4', 'big-5'];

  before(async () => {
    await requireDocker();
    r = await startRunner();
    const folder = makeProject({ image: BASE_IMAGE });
    // Stopped environments with a large spec: over 5 MB of JSON, and nothing changes while it is read.
    for (const [i, n] of names.entries()) {
      const applied = await r.client.call('apply', {
        resource: {
          kind: 'Environment',
          metadata: { name: n },
          spec: { source: { folder }, state: 'Stopped', env: { BIG: String(i).repeat(1_050_000) } },
        },
      });
      await watchUntil(
        r.client,
        n,
        (e) => e.status.observedGeneration >= applied.metadata.generation && e.status.phase === 'Stopped',
        'to be reconciled',
      );
    }
  });
  after(async () => {
    await cleanupRunner(r);
    removeProjects();
  });

  test('ls -o json and get -o json: all of it, valid JSON', async () => {
    const { items } = await r.client.call('list', { kind: 'Environment' });
    const ls = await runCliIntoPausedReader(['ls', '-o', 'json'], cliEnv(r));
    assert.equal(ls.code, 0, ls.stderr);
    assert.ok(ls.stdout.length >= FIVE_MB, `${ls.stdout.length} bytes`);
    // Byte for byte what the CLI meant to print (its own JSON, whole), and the runner's objects.
    const listed = JSON.parse(ls.stdout.toString()) as Environment[];
    assertSameBytes(ls.stdout, Buffer.from(JSON.stringify(listed, null, 2) + '\n'), 'devrig ls -o json');
    assert.deepEqual(listed, items);
    assert.deepEqual(
      listed.map((e) => e.metadata.name),
      names,
    );

    const one = await r.client.call('get', { kind: 'Environment', name: 'big-3' });
    const get = await runCliIntoPausedReader(['get', 'big-3', '--output', 'json'], cliEnv(r));
    assert.equal(get.code, 0, get.stderr);
    const got = JSON.parse(get.stdout.toString()) as Environment;
    assertSameBytes(get.stdout, Buffer.from(JSON.stringify(got, null, 2) + '\n'), 'devrig get -o json');
    assert.deepEqual(got, one);
  });
});
