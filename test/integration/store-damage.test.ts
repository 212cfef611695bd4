import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { statePaths } from '../../runner/state/stateDir';
import { makeProject, removeProjects } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';

describe('a damaged store: the runner refuses to start with a clear error, and repair recovers it', () => {
  let r: TestRunner;
  before(async () => {
    r = await startRunner();
  });
  after(async () => {
    // The CLI started a runner of its own on this state folder: stop it first.
    await r.cli(['runner', 'stop']).catch(() => {});
    await cleanupRunner(r);
    removeProjects();
  });

  test('a flipped byte mid-journal: CLI shows file, line and byte (no stack); files kept; repair; ls works', async () => {
    // Stopped environments: this is about the store, not containers.
    const folder = makeProject({ image: 'devrig-test-base:bookworm' });
    for (const name of ['one', 'two', 'three']) {
      await r.client.call('apply', {
        resource: { kind: 'Environment', metadata: { name }, spec: { source: { folder }, state: 'Stopped' } },
      });
    }
    await r.kill('SIGTERM');
    const store = statePaths(r.stateDir).store;
    const journal = join(store, 'journal.log');
    const bytes = readFileSync(journal);
    const line2 = bytes.indexOf(0x0a) + 1;
    const at = bytes.indexOf('"name":"', line2) + 8;
    bytes[at] = bytes[at] === 0x71 ? 0x72 : 0x71;
    writeFileSync(journal, bytes);

    const ls = await r.cli(['ls'], { timeoutMs: 60_000 });
    assert.equal(ls.code, 1, ls.stderr);
    assert.match(
      ls.stderr,
      new RegExp(
        `^devrig ls: the runner could not start: ${journal}: line 2 \\(byte ${line2}\\): checksum mismatch`,
      ),
    );
    assert.match(ls.stderr, /`devrig runner repair` keeps every record it can read/);
    assert.doesNotMatch(ls.stderr, /^\s+at /m, 'no stack frames');
    assert.deepEqual(readFileSync(journal), bytes, 'the journal is exactly as it was');

    const repair = await r.cli(['runner', 'repair']);
    assert.equal(repair.code, 0, repair.stderr);
    assert.match(repair.stdout, new RegExp(`unreadable: ${journal}: bytes ${line2}–\\d+: checksum mismatch`));
    assert.match(repair.stdout, /the original files and a list of what could not be read are in .*damaged-/);
    const backup = readdirSync(store).find((f) => f.startsWith('damaged-'))!;
    assert.deepEqual(readFileSync(join(store, backup, 'journal.log')), bytes);

    const after = await r.cli(['ls'], { timeoutMs: 60_000 });
    assert.equal(after.code, 0, after.stderr);
    for (const name of ['one', 'two', 'three']) assert.match(after.stdout, new RegExp(`^${name}\\s`, 'm'));
    // A second repair has nothing to do (and the runner holds the lock now: it says so).
    const again = await r.cli(['runner', 'repair']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /the runner is running \(pid \d+\); stop it first with `devrig runner stop`/);
  });
});
