import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Environment } from '../../runner/api';
import { BASE_IMAGE, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects, tempDir } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';

const dotfilesCondition = (e: Environment) => e.status.conditions.find((c) => c.type === 'DotfilesInstalled');

// Dotfiles are per user (the runner's config), go into each new container once, and are ready
// by the time the environment is.
describe('dotfiles on a real Docker engine', () => {
  let r: TestRunner;
  let project: string;

  const exec = async (name: string, script: string) => {
    const res = await r.cli(['exec', name, '--', 'sh', '-c', script]);
    assert.equal(res.code, 0, res.stderr);
    return res.stdout;
  };
  const environment = async (name: string) => {
    const env = await r.client.call('get', { kind: 'Environment', name });
    assert.equal(env.kind, 'Environment');
    return env as Environment;
  };

  before(async () => {
    await requireDocker();
    r = await startRunner();
    project = makeProject({ image: BASE_IMAGE, remoteUser: 'vscode' });
  });
  after(async () => {
    await cleanupRunner(r);
    removeProjects();
  });

  test("a folder's install script runs once per container, not on every start", async () => {
    const dots = tempDir('devrig-dots-');
    writeFileSync(
      join(dots, 'install.sh'),
      '#!/bin/sh\necho "installed in $PWD" >> "$HOME/.dotfiles-installs"\necho "hello from install.sh"\n',
    );
    chmodSync(join(dots, 'install.sh'), 0o755);
    writeFileSync(join(dots, '.aliases'), "alias ll='ls -l'\n");
    const set = await r.cli(['config', 'set', 'dotfiles.repository', dots]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal((await r.cli(['config', 'get', 'dotfiles.repository'])).stdout.trim(), dots);

    const up = await r.cli(['up', project, '--name', 'dots']);
    assert.equal(up.code, 0, up.stderr);
    // Installed before the environment was reported ready.
    const cond = dotfilesCondition(await environment('dots'));
    assert.deepEqual([cond?.status, cond?.reason], ['True', 'Installed']);
    assert.match(cond?.message ?? '', /in \/home\/vscode\/dotfiles: running install\.sh/);
    assert.equal(await exec('dots', 'cat ~/.dotfiles-installs'), 'installed in /home/vscode/dotfiles\n');
    assert.equal(await exec('dots', 'stat -c %U ~/dotfiles/.aliases'), 'vscode\n');
    const logs = await r.cli(['logs', 'dots']);
    assert.match(logs.stdout, /\[dotfiles\] hello from install\.sh/);

    assert.equal((await r.cli(['stop', 'dots'])).code, 0);
    assert.equal((await r.cli(['start', 'dots'])).code, 0);
    assert.equal(await exec('dots', 'cat ~/.dotfiles-installs'), 'installed in /home/vscode/dotfiles\n');
    assert.equal((await r.cli(['stop', 'dots'])).code, 0);
  });

  test('a git repository without an install script has its dotfiles linked into $HOME', async () => {
    const work = tempDir('devrig-dots-work-');
    writeFileSync(join(work, '.aliases'), "alias gs='git status'\n");
    writeFileSync(join(work, '.bashrc'), '# from my dotfiles\n');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], {
        cwd: work,
      });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'dotfiles');
    const bare = join(tempDir('devrig-dots-bare-'), 'dotfiles.git');
    execFileSync('git', ['clone', '-q', '--bare', work, bare]);
    assert.equal((await r.cli(['config', 'set', 'dotfiles.repository', bare])).code, 0);
    assert.equal((await r.cli(['config', 'set', 'dotfiles.targetPath', '~/.dots'])).code, 0);

    const up = await r.cli(['up', project, '--name', 'linked']);
    assert.equal(up.code, 0, up.stderr);
    const cond = dotfilesCondition(await environment('linked'));
    assert.equal(cond?.status, 'True', cond?.message);
    assert.equal(
      await exec(
        'linked',
        'readlink ~/.aliases; readlink ~/.bashrc; head -c 0 ~/.bashrc.devrig-backup && echo backup kept; test -d ~/.dots/.git && echo cloned',
      ),
      '/home/vscode/.dots/.aliases\n/home/vscode/.dots/.bashrc\nbackup kept\ncloned\n',
    );
    const cfg = await r.cli(['config', 'unset', 'dotfiles.repository']);
    assert.equal(cfg.code, 0, cfg.stderr);
    assert.equal((await r.cli(['config', 'get'])).stdout.trim(), '{}');
  });
});
