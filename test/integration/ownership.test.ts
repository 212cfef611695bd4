import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BASE_IMAGE, docker, inspect, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { waitForPhase } from '../helpers/wait';

describe('devrig only ever touches what it created', () => {
  let r: TestRunner;
  let foreignId: string;
  let repo: string;
  before(async () => {
    await requireDocker();
    r = await startRunner();
    // Someone else's container that looks a lot like ours (same name pattern, same
    // environment label) but was not created by this runner.
    const c = await docker.createContainer({
      name: `devrig-foreign-${process.pid}`,
      Image: BASE_IMAGE,
      Cmd: ['sleep', 'infinity'],
      Labels: { 'devrig.environment': 'own', 'devrig-test.foreign': 'true' },
    });
    await c.start();
    foreignId = c.id;
    // A local git repository for a git-sourced environment.
    repo = mkdtempSync(join(tmpdir(), 'devrig-repo-'));
    const git = (...a: string[]) => execFileSync('git', a, { cwd: repo, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    writeFileSync(join(repo, 'README.md'), 'from git\n');
    writeFileSync(
      join(repo, '.devcontainer.json'),
      JSON.stringify({ image: BASE_IMAGE, remoteUser: 'vscode' }),
    );
    git('add', '.');
    git('-c', 'user.email=t@example.invalid', '-c', 'user.name=t', 'commit', '-qm', 'init');
  });
  after(async () => {
    await docker
      .getContainer(foreignId)
      .remove({ force: true })
      .catch(() => {});
    await cleanupRunner(r);
    rmSync(repo, { recursive: true, force: true });
    removeProjects();
  });

  test('a container without devrig labels is never touched, through up, stop and delete', async () => {
    const before = await inspect(foreignId);
    const folder = makeProject({ image: BASE_IMAGE });
    assert.equal((await r.cli(['up', folder, '--name', 'own'])).code, 0);
    assert.equal((await r.cli(['stop', 'own'])).code, 0);
    assert.equal((await r.cli(['delete', 'own'])).code, 0);
    const after = await inspect(foreignId);
    assert.equal(after.State.Running, true);
    assert.equal(after.State.StartedAt, before.State.StartedAt);
  });

  test('a git source gets a devrig-owned volume; delete removes container and volume', async () => {
    const applied = await r.client.call('apply', {
      resource: {
        kind: 'Environment',
        metadata: { name: 'fromgit' },
        spec: { source: { git: { url: repo } } },
      },
    });
    const env = await waitForPhase(r.client, 'fromgit', 'Running', 180_000);
    assert.equal(env.metadata.generation, applied.metadata.generation);
    const res = await r.cli([
      'exec',
      'fromgit',
      '--',
      'sh',
      '-c',
      'cat README.md; git log --oneline | wc -l; id -un; stat -c %U .',
    ]);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(res.stdout.trim().split('\n'), ['from git', '1', 'vscode', 'vscode']);
    const c = await inspect(env.status.containerId!);
    const volume = c.Mounts.find((m) => m.Type === 'volume')!.Name!;
    assert.match(volume, /^devrig-fromgit-[0-9a-f]{6}-workspace$/);
    // Work survives a stop/start on the volume.
    await r.cli(['exec', 'fromgit', '--', 'sh', '-c', 'echo mine > work.txt']);
    assert.equal((await r.cli(['stop', 'fromgit'])).code, 0);
    assert.equal((await r.cli(['start', 'fromgit'])).code, 0);
    assert.equal((await r.cli(['exec', 'fromgit', '--', 'cat', 'work.txt'])).stdout, 'mine\n');
    assert.equal((await r.cli(['delete', 'fromgit'])).code, 0);
    await assert.rejects(inspect(env.status.containerId!), /no such container/i);
    await assert.rejects(docker.getVolume(volume).inspect(), /no such volume/i);
  });
});
