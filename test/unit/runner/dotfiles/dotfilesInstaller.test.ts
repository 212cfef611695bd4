import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Environment } from '../../../../runner/api';
import { recordParts } from '../../../helpers/statusParts';
import {
  RunnerConfigError,
  RunnerConfigReader,
  writeRunnerConfig,
} from '../../../../runner/config/runnerConfigFile';
import { DotfilesInstaller } from '../../../../runner/dotfiles/dotfilesInstaller';
import { dotfilesSource } from '../../../../runner/dotfiles/dotfilesSource';
import type { EnvLogs } from '../../../../runner/logs/envLogs';
import { installCommand, targetFolder } from '../../../../runner/dotfiles/installScript';

const sources: [string, ReturnType<typeof dotfilesSource>][] = [
  ['me/dotfiles', { kind: 'git', url: 'https://github.com/me/dotfiles.git' }],
  ['me/dotfiles.git', { kind: 'git', url: 'https://github.com/me/dotfiles.git' }],
  ['https://git.example.com/me/dots.git', { kind: 'git', url: 'https://git.example.com/me/dots.git' }],
  ['git@github.com:me/dots.git', { kind: 'git', url: 'git@github.com:me/dots.git' }],
  ['/home/me/dots', { kind: 'folder', path: '/home/me/dots' }],
  ['~/dots', { kind: 'folder', path: '/home/me/dots' }],
  ['file:///srv/my%20dots', { kind: 'folder', path: '/srv/my dots' }],
];
for (const [repository, want] of sources) {
  test(`dotfilesSource: ${repository}`, () => assert.deepEqual(dotfilesSource(repository, '/home/me'), want));
}

const targets: [string | undefined, string][] = [
  [undefined, '/home/u/dotfiles'],
  ['~/.dots', '/home/u/.dots'],
  ['~', '/home/u'],
  ['/opt/dots', '/opt/dots'],
  ['cfg/dots', '/home/u/cfg/dots'],
];
for (const [target, want] of targets) {
  test(`targetFolder: ${target}`, () => assert.equal(targetFolder(target, '/home/u/'), want));
}

/** Runs the install script the way the container does, with HOME in a temporary folder. */
function install(
  files: Record<string, string>,
  opts: { command?: string; home?: Record<string, string> } = {},
) {
  const root = mkdtempSync(join(tmpdir(), 'devrig-dotfiles-'));
  const home = join(root, 'home');
  const dots = join(home, 'dotfiles');
  mkdirSync(dots, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dots, name, '..'), { recursive: true });
    writeFileSync(join(dots, name), text);
  }
  for (const [name, text] of Object.entries(opts.home ?? {})) writeFileSync(join(home, name), text);
  const [cmd, ...args] = installCommand(dots, opts.command);
  const out = execFileSync(cmd!, args, { env: { PATH: process.env.PATH, HOME: home } }).toString();
  return { home, dots, out, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

test('install script: the first install script found runs (even when not executable)', () => {
  const r = install({ 'setup.sh': 'echo setup ran', 'script/bootstrap': 'echo bootstrap ran > "$HOME/ran"' });
  try {
    assert.equal(r.out, 'running script/bootstrap\n');
    assert.equal(readFileSync(join(r.home, 'ran'), 'utf8'), 'bootstrap ran\n');
  } finally {
    r.cleanup();
  }
});

test('install script: a configured command wins', () => {
  const r = install({ 'install.sh': 'echo nope' }, { command: 'echo custom in "$(basename "$PWD")"' });
  try {
    assert.equal(r.out, 'running: echo custom in "$(basename "$PWD")"\ncustom in dotfiles\n');
  } finally {
    r.cleanup();
  }
});

test('install script: without one, dotfiles are linked into $HOME and what was there kept', () => {
  const r = install(
    { '.bashrc': 'mine', '.config/app.toml': 'x', '.git/HEAD': 'ref', 'README.md': 'docs' },
    { home: { '.bashrc': 'image default' } },
  );
  try {
    assert.match(r.out, /kept the old ~\/\.bashrc as ~\/\.bashrc\.devrig-backup/);
    assert.equal(readlinkSync(join(r.home, '.bashrc')), join(r.dots, '.bashrc'));
    assert.equal(readlinkSync(join(r.home, '.config')), join(r.dots, '.config'));
    assert.equal(readFileSync(join(r.home, '.bashrc.devrig-backup'), 'utf8'), 'image default');
    assert.throws(() => lstatSync(join(r.home, '.git')), 'the repository itself is not linked');
    assert.throws(() => lstatSync(join(r.home, 'README.md')));
  } finally {
    r.cleanup();
  }
});

test('runner config reader: parsed again only when the file changed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'devrig-config-'));
  try {
    const path = join(dir, 'config.json');
    const reader = new RunnerConfigReader(path);
    const none = await reader.read();
    assert.deepEqual(none, {});
    assert.equal(await reader.read(), none, 'no file: the same (empty) config');
    await writeRunnerConfig(path, { dotfiles: { repository: 'me/dots' } });
    const first = await reader.read();
    assert.equal(first.dotfiles?.repository, 'me/dots');
    assert.equal(await reader.read(), first, 'unchanged: not parsed again');
    await writeRunnerConfig(path, { dotfiles: { repository: 'me/other' } });
    assert.equal((await reader.read()).dotfiles?.repository, 'me/other');
    writeFileSync(path, '{ nope');
    await assert.rejects(reader.read(), RunnerConfigError);
    await assert.rejects(reader.read(), RunnerConfigError, 'still invalid');
    rmSync(path);
    assert.deepEqual(await reader.read(), {});
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dotfiles: with none configured, a reconcile neither reads the config again nor rewrites status', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'devrig-config-'));
  try {
    const { parts, sink } = recordParts<'dotfiles'>();
    let providerAsked = 0;
    const installer = new DotfilesInstaller({
      configPath: join(dir, 'config.json'),
      cacheDir: join(dir, 'cache'),
      logs: { writer: () => () => {} } as unknown as EnvLogs,
      status: sink,
      providerFor: async () => {
        providerAsked++;
        return undefined;
      },
      commandEnv: async () => ({}),
      log: () => {},
    });
    const env = { metadata: { name: 'e' } } as Environment;
    for (let i = 0; i < 3; i++) await installer.prepare(env, 'c1', {} as Environment['status']);
    assert.deepEqual(parts, [{ conditions: { DotfilesInstalled: null } }], 'cleared once');
    assert.equal(providerAsked, 0);
    // Configured later: looked at on the next reconcile.
    await writeRunnerConfig(join(dir, 'config.json'), { dotfiles: { repository: 'me/dots' } });
    await installer.prepare(env, 'c1', {} as Environment['status']);
    assert.equal(providerAsked, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
