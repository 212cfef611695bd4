// The repository attack of #18: a git source's devcontainer.json runs initializeCommand on the
// runner's machine. It must not without consent that shows the command; the consent is bound to the
// command, so a changed command asks again. A folder its user gives the CLI runs it, as the reference
// CLI does; a folder marked untrusted does not.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Environment } from '../../runner/api';
import { BASE_IMAGE, containersWith, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { watchResourceUntil } from '../helpers/wait';

describe('initializeCommand from sources the user did not vouch for needs consent', () => {
  let r: TestRunner;
  let dir: string;
  let bare: string;
  let marker: string;
  before(async () => {
    await requireDocker();
    r = await startRunner();
    dir = mkdtempSync(join(tmpdir(), 'devrig-untrusted-'));
    marker = join(dir, 'pwned');
    // A hostile repository, served as a local bare repository.
    const work = join(dir, 'work');
    const git = (cwd: string, ...a: string[]) => execFileSync('git', a, { cwd, stdio: 'pipe' });
    execFileSync('git', ['init', '-q', '-b', 'main', work]);
    writeFileSync(
      join(work, '.devcontainer.json'),
      JSON.stringify({ image: BASE_IMAGE, initializeCommand: `touch ${marker}` }, null, 2),
    );
    git(work, 'add', '.');
    git(work, '-c', 'user.email=t@example.invalid', '-c', 'user.name=t', 'commit', '-qm', 'init');
    bare = join(dir, 'repo.git');
    execFileSync('git', ['clone', '-q', '--bare', work, bare]);
  });
  after(async () => {
    await cleanupRunner(r);
    rmSync(dir, { recursive: true, force: true });
    removeProjects();
  });

  const failedFor = (name: string, generation: number) =>
    watchResourceUntil(
      r.client,
      'Environment',
      name,
      (e) => e.status.observedGeneration >= generation && e.status.phase === 'Failed',
      'to wait for consent',
      120_000,
    );
  const get = async (name: string): Promise<Environment> => {
    const e = await r.client.call('get', { kind: 'Environment', name });
    assert.ok(e.kind === 'Environment');
    return e;
  };

  test('a git source: refused with the command shown, the marker never appears; with consent it runs; a changed command asks again', async () => {
    const applied = await r.client.call('apply', {
      resource: {
        kind: 'Environment',
        metadata: { name: 'hostile' },
        spec: { source: { git: { url: bare } } },
      },
    });
    const env = await failedFor('hostile', applied.metadata.generation);
    const c = env.status.conditions.find((x) => x.type === 'InitializeCommandAllowed');
    assert.equal(c?.status, 'False');
    assert.equal(c?.reason, 'ConsentRequired');
    assert.ok(
      c?.message.includes(`the git source ${bare} wants to run this initializeCommand on this machine`),
    );
    assert.ok(c?.message.includes(`touch ${marker}`), c?.message);
    assert.equal(env.status.initializeCommand?.text, `touch ${marker}`);
    assert.equal(env.status.initializeCommand?.allowed, false);
    assert.equal(existsSync(marker), false, 'the repository ran nothing on this machine');
    assert.deepEqual(await containersWith({ 'devrig.uid': env.metadata.uid }), []);
    assert.deepEqual(env.spec, applied.spec, 'nothing allowed on its own');

    // The CLI without a terminal shows the command and the flag, and changes nothing.
    const asked = await r.cli(['start', 'hostile']);
    assert.equal(asked.code, 1, asked.stderr);
    assert.ok(
      asked.stderr.includes(
        `wants to run this initializeCommand on this machine, as you:\n    touch ${marker}`,
      ),
      asked.stderr,
    );
    assert.ok(
      asked.stderr.includes('To allow it, run: devrig start hostile --allow-initialize'),
      asked.stderr,
    );
    assert.equal(existsSync(marker), false);
    assert.equal((await get('hostile')).spec.allowInitializeCommand, undefined);

    // With consent it runs, and the consent is the command's hash.
    const allowed = await r.cli(['start', 'hostile', '--allow-initialize']);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(allowed.stderr, /\(allowed by --allow-initialize\)/);
    assert.equal(existsSync(marker), true, 'initializeCommand ran once allowed');
    const running = await get('hostile');
    assert.equal(running.status.phase, 'Running');
    assert.equal(running.spec.allowInitializeCommand, running.status.initializeCommand?.hash);
    assert.equal(
      running.status.conditions.find((x) => x.type === 'InitializeCommandAllowed')?.status,
      'True',
    );

    // The repository's command changes (as after a pull in the clone): the next run asks again.
    const clone = join(
      r.stateDir,
      'sources',
      `hostile-${running.metadata.uid.slice(0, 6)}`,
      '.devcontainer.json',
    );
    const marker2 = join(dir, 'pwned-again');
    const config = JSON.parse(readFileSync(clone, 'utf8'));
    writeFileSync(clone, JSON.stringify({ ...config, initializeCommand: `touch ${marker2}` }));
    const again = await r.cli(['restart', 'hostile']);
    assert.equal(again.code, 1, again.stderr);
    assert.ok(again.stderr.includes(`touch ${marker2}`), again.stderr);
    assert.equal(existsSync(marker2), false, 'a changed command does not run on the old consent');
    const refusedAgain = await get('hostile');
    assert.equal(
      refusedAgain.status.conditions.find((x) => x.type === 'InitializeCommandAllowed')?.status,
      'False',
    );
    assert.notEqual(refusedAgain.status.initializeCommand?.hash, running.spec.allowInitializeCommand);
    const reallowed = await r.cli(['restart', 'hostile', '--allow-initialize']);
    assert.equal(reallowed.code, 0, reallowed.stderr);
    assert.equal(existsSync(marker2), true);
  });

  test('a folder marked untrusted asks too; a folder its user gives the CLI runs it, as the reference CLI does', async () => {
    const m = join(dir, 'from-folder');
    const folder = makeProject({ image: BASE_IMAGE, initializeCommand: ['touch', m] });
    const applied = await r.client.call('apply', {
      resource: {
        kind: 'Environment',
        metadata: { name: 'picked' },
        spec: { source: { folder, untrusted: true } },
      },
    });
    const env = await failedFor('picked', applied.metadata.generation);
    assert.equal(env.status.initializeCommand?.text, `touch ${m}`);
    assert.match(env.status.initializeCommand?.why ?? '', /which is not trusted/);
    assert.equal(existsSync(m), false);
    const up = await r.cli(['up', folder, '--name', 'picked']);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(existsSync(m), true);
    const trusted = await get('picked');
    assert.deepEqual(trusted.spec.source, { folder });
    assert.equal(trusted.status.initializeCommand, undefined);
    assert.equal(
      trusted.status.conditions.find((x) => x.type === 'InitializeCommandAllowed'),
      undefined,
    );
  });
});
