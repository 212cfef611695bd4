import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as esbuild from 'esbuild';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureSshInclude } from '../../../../runner/sshConfig/sshConfigFile';
import { writeFileAtomic } from '../../../../runner/state/privateFile';
import { INCLUDE_MARKER } from '../../../../runner/sshConfig/sshConfigInclude';
import { sshConfigBlock } from '../../../../runner/sshConfig/sshConfigBlock';

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await fs.mkdtemp(join(tmpdir(), 'devrig-sshconfig-'));
  t.after(async () => {
    await fs.chmod(dir, 0o700).catch(() => undefined);
    await fs.rm(dir, { recursive: true, force: true });
  });
  return dir;
}

const ROOT = resolve(__dirname, '../../../..');
const mode = async (p: string) => (await fs.stat(p)).mode & 0o777;
const header = (path: string) => `${INCLUDE_MARKER}\nInclude "${path}"\n`;

test('ensureSshInclude creates a missing ~/.ssh (0700) and config (0600)', async (t) => {
  const home = await tempDir(t);
  const config = join(home, '.ssh', 'config');
  const devrig = join(home, 'devrig data', 'ssh_config');
  const r = await ensureSshInclude(config, devrig);
  assert.deepEqual(r, { changed: true, warnings: [] });
  assert.equal(await fs.readFile(config, 'utf8'), header(devrig));
  if (process.platform !== 'win32') {
    assert.equal(await mode(join(home, '.ssh')), 0o700);
    assert.equal(await mode(config), 0o600);
  }
  assert.deepEqual(await fs.readdir(join(home, '.ssh')), ['config']);
});

test('ensureSshInclude keeps the mode of an existing file and writes only when needed', async (t) => {
  const home = await tempDir(t);
  const config = join(home, 'config');
  const original = '# mine\r\nHost *\r\n  ProxyJump bastion\r\n';
  await fs.writeFile(config, original, { mode: 0o644 });
  await fs.chmod(config, 0o644);
  const devrig = '/home/u/.local/share/devrig/ssh_config';

  const r = await ensureSshInclude(config, devrig);
  assert.equal(r.changed, true);
  assert.deepEqual(
    r.warnings.map((w) => w.message),
    [`${config}:5: "Host *" sets ProxyJump, which also applies to devrig-* hosts`],
  );
  const updated = await fs.readFile(config, 'utf8');
  assert.equal(updated, `${INCLUDE_MARKER}\r\nInclude "${devrig}"\r\n${original}`);
  if (process.platform !== 'win32') assert.equal(await mode(config), 0o644);

  const before = await fs.stat(config);
  const again = await ensureSshInclude(config, devrig);
  assert.equal(again.changed, false);
  assert.equal(again.warnings.length, 1);
  const after = await fs.stat(config);
  assert.equal(after.ino, before.ino, 'not rewritten');
  assert.equal(after.mtimeMs, before.mtimeMs);
  assert.deepEqual(await fs.readdir(home), ['config']);
});

test('ensureSshInclude names files under the home directory with ~ in warnings', async (t) => {
  if (process.platform === 'win32') return t.skip('homedir() comes from USERPROFILE');
  const home = await tempDir(t);
  const saved = process.env.HOME;
  process.env.HOME = home;
  t.after(() => {
    if (saved === undefined) delete process.env.HOME;
    else process.env.HOME = saved;
  });
  const config = join(home, '.ssh', 'config');
  await fs.mkdir(join(home, '.ssh'));
  await fs.writeFile(config, 'Host *\n  RemoteCommand tmux\n');
  const r = await ensureSshInclude(config, '/d/devrig/ssh_config');
  assert.deepEqual(
    r.warnings.map((w) => w.message),
    ['~/.ssh/config:4: "Host *" sets RemoteCommand, which also applies to devrig-* hosts'],
  );
});

test('ensureSshInclude preserves bytes that are not UTF-8', async (t) => {
  const home = await tempDir(t);
  const config = join(home, 'config');
  const original = Buffer.concat([
    Buffer.from('# caf'),
    Buffer.from([0xe9, 0xff]),
    Buffer.from('\nHost a\n'),
  ]);
  await fs.writeFile(config, original);
  const devrig = '/home/josé/devrig/ssh_config';
  await ensureSshInclude(config, devrig);
  const expected = Buffer.concat([Buffer.from(header(devrig), 'utf8'), original]);
  assert.deepEqual(await fs.readFile(config), expected);
  assert.equal((await ensureSshInclude(config, devrig)).changed, false);
});

test('ensureSshInclude updates the target of a symlinked config and keeps the link', async (t) => {
  if (process.platform === 'win32') return t.skip('symlinks need privileges on Windows');
  const home = await tempDir(t);
  await fs.mkdir(join(home, 'dotfiles'));
  await fs.mkdir(join(home, '.ssh'));
  const target = join(home, 'dotfiles', 'ssh_config');
  const config = join(home, '.ssh', 'config');
  await fs.writeFile(target, 'Host a\n');
  await fs.symlink(target, config);
  const devrig = '/d/devrig/ssh_config';
  await ensureSshInclude(config, devrig);
  assert.ok((await fs.lstat(config)).isSymbolicLink());
  assert.equal(await fs.readFile(target, 'utf8'), header(devrig) + 'Host a\n');
  assert.deepEqual(await fs.readdir(join(home, 'dotfiles')), ['ssh_config']);

  // A dangling symlink is reported, not replaced.
  const dangling = join(home, '.ssh', 'other');
  await fs.symlink(join(home, 'nowhere'), dangling);
  await assert.rejects(
    ensureSshInclude(dangling, devrig),
    /cannot update .*other: it is a symlink to a missing file/,
  );
  assert.ok((await fs.lstat(dangling)).isSymbolicLink());
});

test('ensureSshInclude: a config path that is a directory fails clearly (EISDIR)', async (t) => {
  const home = await tempDir(t);
  const config = join(home, 'config');
  await fs.mkdir(config);
  await fs.writeFile(join(config, 'keep'), 'x');
  const devrig = '/d/devrig/ssh_config';
  await assert.rejects(ensureSshInclude(config, devrig), (err: Error) => {
    assert.equal(
      err.message,
      `cannot update ${config}: it is a directory (EISDIR); add this line yourself: Include "${devrig}"`,
    );
    assert.equal((err.cause as NodeJS.ErrnoException).code, 'EISDIR');
    return true;
  });
  assert.deepEqual(await fs.readdir(config), ['keep']);
});

test('ensureSshInclude: a parent that is a file fails clearly (ENOTDIR)', async (t) => {
  const home = await tempDir(t);
  await fs.writeFile(join(home, '.ssh'), 'not a directory');
  const config = join(home, '.ssh', 'config');
  await assert.rejects(
    ensureSshInclude(config, '/d/devrig/ssh_config'),
    (err: Error) =>
      err.message.startsWith(`cannot update ${config}: a parent path is not a directory (ENOTDIR); `) &&
      err.message.endsWith('add this line yourself: Include "/d/devrig/ssh_config"') &&
      (err.cause as NodeJS.ErrnoException).code === 'ENOTDIR',
  );
  assert.equal(await fs.readFile(join(home, '.ssh'), 'utf8'), 'not a directory');
});

test('ensureSshInclude: read-only directory fails with EACCES and leaves the file untouched', async (t) => {
  const home = await tempDir(t);
  const config = join(home, 'config');
  await fs.writeFile(config, 'Host a\n', { mode: 0o444 });
  await fs.chmod(home, 0o555);
  // Permissions do not stop root: as root, run the update in a child process as nobody (65534).
  const asRoot = process.getuid?.() === 0;
  let message: string;
  if (asRoot) {
    // Bundled into a folder nobody can read: the checkout itself may not be (e.g. under /root).
    const bin = await tempDir(t);
    await fs.chmod(bin, 0o755);
    const script = join(bin, 'ensure.js');
    await esbuild.build({
      stdin: {
        contents:
          "import { ensureSshInclude } from './runner/sshConfig/sshConfigFile';" +
          "ensureSshInclude(process.argv[2], '/d/devrig/ssh_config')" +
          ".then(() => console.log('no error'), (e) => console.log(e.message));",
        resolveDir: ROOT,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      outfile: script,
      logLevel: 'silent',
    });
    await fs.chmod(script, 0o644);
    const r = spawnSync(process.execPath, [script, config], {
      cwd: bin,
      uid: 65534,
      gid: 65534,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    message = r.stdout.trim();
  } else {
    message = await ensureSshInclude(config, '/d/devrig/ssh_config').then(
      () => 'no error',
      (e: Error) => e.message,
    );
  }
  assert.match(
    message,
    new RegExp(`^cannot update ${config}: permission denied \\(EACCES\\); add this line yourself`),
  );
  assert.equal(await fs.readFile(config, 'utf8'), 'Host a\n');
  assert.deepEqual(await fs.readdir(home), ['config']);
});

test('ensureSshInclude includes <state>/ssh_config in the given user config', async (t) => {
  const home = await tempDir(t);
  const state = join(home, 'state dir');
  const config = join(home, '.ssh', 'config');
  const r = await ensureSshInclude(config, join(state, 'ssh_config'));
  assert.deepEqual(r, { changed: true, warnings: [] });
  assert.equal(await fs.readFile(config, 'utf8'), header(join(state, 'ssh_config')));
  assert.equal((await ensureSshInclude(config, join(state, 'ssh_config'))).changed, false);
});

test('writeFileAtomic replaces content with the given mode and leaves no temporary files', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'known_hosts');
  await writeFileAtomic(file, 'one\n', 0o600);
  assert.equal(await fs.readFile(file, 'utf8'), 'one\n');
  await writeFileAtomic(file, Buffer.from('two\n'), 0o644);
  assert.equal(await fs.readFile(file, 'utf8'), 'two\n');
  if (process.platform !== 'win32') assert.equal(await mode(file), 0o644);
  assert.deepEqual(await fs.readdir(dir), ['known_hosts']);
  await assert.rejects(writeFileAtomic(join(dir, 'missing', 'x'), 'x', 0o600), { code: 'ENOENT' });
  assert.deepEqual(await fs.readdir(dir), ['known_hosts']);
});

test('OpenSSH resolves devrig hosts from the include at the top, despite Host *', async (t) => {
  if (spawnSync('ssh', ['-V']).error) return t.skip('no ssh client');
  const home = await tempDir(t);
  const devrig = join(home, 'devrig data', 'ssh_config');
  await fs.mkdir(join(home, 'devrig data'));
  await writeFileAtomic(
    devrig,
    sshConfigBlock([{ name: 'api', forwardAgent: true }], {
      port: 2222,
      identityFile: join(home, 'devrig data', 'id_ed25519'),
      knownHostsFile: join(home, 'devrig data', 'known_hosts'),
    }),
    0o600,
  );
  const config = join(home, 'config');
  await fs.writeFile(
    config,
    'Host *\n  User someone\n  Port 22\n  StrictHostKeyChecking no\n  ProxyJump j\n',
  );
  await ensureSshInclude(config, devrig);
  const r = spawnSync('ssh', ['-G', '-F', config, 'devrig-api'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const effective = new Map(
    r.stdout.split('\n').map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]),
  );
  assert.equal(effective.get('hostname'), '127.0.0.1');
  assert.equal(effective.get('user'), 'api');
  assert.equal(effective.get('port'), '2222');
  assert.equal(effective.get('hostkeyalias'), 'devrig-gateway');
  assert.equal(effective.get('stricthostkeychecking'), 'true');
  assert.equal(effective.get('forwardagent'), 'yes');
  assert.equal(effective.get('identityfile'), join(home, 'devrig data', 'id_ed25519'));
  assert.equal(effective.get('userknownhostsfile'), join(home, 'devrig data', 'known_hosts'));
  // What the warning is about: options devrig does not set still apply.
  assert.equal(effective.get('proxyjump'), 'j');
});
