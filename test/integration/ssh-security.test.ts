import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Client, Server, utils } from 'ssh2';
import { BASE_IMAGE, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects, tempDir } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { run, ssh, sshConfigOf } from '../helpers/ssh';
import { waitFor, waitForPhase } from '../helpers/wait';

// Who gets in (keys only, user = a known, running environment), what bad clients cannot do to the
// runner, and the host key pin: stable across restarts, loud when it does not match.
describe('ssh gateway: authentication, robustness and the host key pin', () => {
  let r: TestRunner;
  let ids: { port: number; hostKey: string; knownHosts: string };
  const name = 'sec';
  const host = `devrig-${name}`;
  const sshDir = () => join(r.stateDir, 'ssh');

  /** A copy of devrig's ssh_config that authenticates with another key (for the negative cases). */
  function configWithKey(key: string): string {
    const text = readFileSync(sshConfigOf(r.stateDir), 'utf8').replace(
      /IdentityFile "[^"]+"/g,
      `IdentityFile "${key}"`,
    );
    const file = join(tempDir(), 'ssh_config');
    writeFileSync(file, text);
    return file;
  }
  async function newKey(): Promise<string> {
    const key = join(tempDir(), 'key');
    assert.equal(
      (await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'extra', '-f', key])).code,
      0,
    );
    return key;
  }
  /** ssh2 client attempts with methods OpenSSH would not even try against a key-only server. */
  function ssh2Login(opts: { username: string; password?: string; tryKeyboard?: boolean }): Promise<string> {
    return new Promise((resolve) => {
      const c = new Client();
      c.on('keyboard-interactive', (_n, _i, _l, _p, finish) => finish(['guess']));
      c.once('ready', () => {
        c.end();
        resolve('logged in');
      });
      c.once('error', (e) => resolve(e.message));
      c.connect({ host: '127.0.0.1', port: ids.port, hostVerifier: () => true, ...opts });
    });
  }

  before(async () => {
    await requireDocker();
    r = await startRunner();
    const folder = makeProject({ image: BASE_IMAGE, remoteUser: 'vscode' });
    const up = await r.cli(['up', folder, '--name', name]);
    assert.equal(up.code, 0, up.stderr);
    const info = await r.client.call('sshInfo', {});
    ids = { port: info.port, hostKey: info.hostKey, knownHosts: readFileSync(info.knownHostsFile, 'utf8') };
    assert.equal(info.configFile, sshConfigOf(r.stateDir));
    assert.match(info.hostKeyFingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
  });
  after(async () => {
    await cleanupRunner(r);
    removeProjects();
  });

  test('state files are private and the config pins the host key', () => {
    for (const f of ['host_ed25519', 'id_ed25519', 'known_hosts', 'port']) {
      assert.equal(statSync(join(sshDir(), f)).mode & 0o077, 0, f);
    }
    assert.equal(statSync(sshConfigOf(r.stateDir)).mode & 0o077, 0);
    assert.equal(ids.knownHosts, `devrig-gateway ${ids.hostKey}\n`);
    const cfg = readFileSync(sshConfigOf(r.stateDir), 'utf8');
    assert.match(
      cfg,
      new RegExp(`Host ${host}\\n {2}HostName 127\\.0\\.0\\.1\\n {2}Port ${ids.port}\\n {2}User ${name}\\n`),
    );
    assert.match(cfg, /StrictHostKeyChecking yes/);
  });

  test('a key devrig does not know is refused; one added with `devrig ssh-key add` is accepted', async () => {
    const key = await newKey();
    const cfg = configWithKey(key);
    const refused = await run('ssh', ['-F', cfg, host, 'true']);
    assert.equal(refused.code, 255);
    assert.match(refused.stderr, /Permission denied \(publickey\)/);
    assert.match(r.log(), /refused login as "sec": key SHA256:\S+ is not authorised/);

    const add = await r.cli(['ssh-key', 'add', key + '.pub']);
    assert.equal(add.code, 0, add.stderr);
    assert.match((await r.cli(['ssh-key', 'list'])).stdout, /ssh-ed25519 extra/);
    const accepted = await run('ssh', ['-F', cfg, host, 'echo in']);
    assert.deepEqual([accepted.code, accepted.stdout], [0, 'in\n']);
    const bad = await r.cli(['ssh-key', 'add', join(sshDir(), 'port')]);
    assert.equal(bad.code, 2);
  });

  test('passwords, keyboard-interactive and no authentication are refused', async () => {
    assert.match(
      await ssh2Login({ username: name, password: 'secret' }),
      /All configured authentication methods failed/,
    );
    assert.match(
      await ssh2Login({ username: name, tryKeyboard: true }),
      /All configured authentication methods failed/,
    );
    assert.match(await ssh2Login({ username: name }), /All configured authentication methods failed/);
    assert.match(r.log(), /password authentication refused: devrig accepts keys only/);
    const pw = await ssh(r.stateDir, ['-o', 'PubkeyAuthentication=no', '-o', 'BatchMode=yes', host, 'true']);
    assert.equal(pw.code, 255);
  });

  test('an unknown environment is refused, with the reason in the runner log', async () => {
    const res = await ssh(r.stateDir, ['-o', 'User=nosuch', host, 'true']);
    assert.equal(res.code, 255);
    assert.match(res.stderr, /Permission denied/);
    assert.match(r.log(), /refused login as "nosuch": no environment named "nosuch"/);
  });

  test('a user name with line breaks or control characters cannot forge runner log lines', async () => {
    const forged = '2030-01-01T00:00:00.000Z ssh gateway: logged in to environment "root"';
    assert.match(
      await ssh2Login({ username: `nosuch\n${forged}\r\u001b[2K`, password: 'x' }),
      /All configured authentication methods failed/,
    );
    // The runner's output reaches this process a little after the client is refused.
    const line = await waitFor('the attempt in the runner log', () =>
      r
        .log()
        .split('\n')
        .find((l) => l.includes('refused login as "nosuch\\n2030-01-01T00:00:00.000Z ssh gateway')),
    );
    assert.match(line, /^\d{4}-\d\d-\d\dT.* ssh gateway: .*password authentication refused/);
    assert.ok(
      !r
        .log()
        .split('\n')
        .some((l) => l.startsWith('2030-01-01')),
      'no line of the log is the forged one',
    );
    assert.ok(!r.log().includes('\u001b'), 'no terminal escape reaches the log');
  });

  test('garbage on the port does not hurt the runner', async () => {
    const payloads = [
      randomBytes(10_000),
      Buffer.concat([Buffer.from('SSH-2.0-OpenSSH_9.2\r\n'), randomBytes(200_000)]),
      Buffer.concat([Buffer.from('SSH-2.0-x\r\n'), Buffer.from([0, 0, 0, 12, 4]), randomBytes(11)]),
      Buffer.from('SSH-1.5-old\r\n'),
      Buffer.alloc(100_000, '\n'),
      Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
    ];
    await Promise.all(
      payloads.flatMap((p) =>
        Array.from(
          { length: 5 },
          () =>
            new Promise<void>((resolve) => {
              const s = connect(ids.port, '127.0.0.1');
              s.on('error', () => resolve());
              s.on('close', () => resolve());
              s.write(p, () => setTimeout(() => s.destroy(), 200));
            }),
        ),
      ),
    );
    const hello = await r.client.call('list', { kind: 'Environment' });
    assert.equal(hello.items.length, 1);
    const res = await ssh(r.stateDir, [host, 'echo still-here']);
    assert.equal(res.stdout, 'still-here\n');
    assert.equal(r.child.exitCode, null);
  });

  test('devrig ssh wraps ssh with the generated config and passes the exit code', async () => {
    const res = await r.cli(['ssh', name, '--', 'echo', 'via-cli;', 'exit', '5']);
    assert.equal(res.code, 5, res.stderr);
    assert.equal(res.stdout, 'via-cli\n');
    const printed = await r.cli(['ssh-config']);
    assert.equal(printed.stdout, readFileSync(sshConfigOf(r.stateDir), 'utf8'));
    const userCfg = join(tempDir(), 'config');
    writeFileSync(userCfg, 'Host *\n  ProxyJump bastion\n');
    const install = await r.cli(['ssh-config', '--install', '--ssh-config', userCfg]);
    assert.equal(install.code, 0, install.stderr);
    assert.match(install.stderr, /config:4: "Host \*" sets ProxyJump/);
    assert.match(
      readFileSync(userCfg, 'utf8'),
      new RegExp(`^# Added by devrig.*\\nInclude "${sshConfigOf(r.stateDir)}"\\nHost \\*\\n`),
    );
  });

  test('a stopped environment is refused; with startOnConnect, connecting starts it', async () => {
    assert.equal((await r.cli(['stop', name])).code, 0);
    const refused = await ssh(r.stateDir, [host, 'true']);
    assert.equal(refused.code, 255);
    assert.match(r.log(), /refused login as "sec": environment "sec" is stopped/);
    const viaCli = await r.cli(['ssh', name, '--', 'true']);
    assert.equal(viaCli.code, 1);
    assert.match(viaCli.stderr, /environment "sec" is stopped \(start it with `devrig start sec`/);

    const env = await r.client.call('get', { kind: 'Environment', name });
    await r.client.call('apply', {
      resource: { kind: 'Environment', metadata: { name }, spec: { ...env.spec, startOnConnect: true } },
    } as never);
    const res = await ssh(r.stateDir, [host, 'echo started'], { timeoutMs: 120_000 });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, 'started\n');
    assert.match(res.stderr, /waiting for environment "sec" to start/);
    const now = await r.client.call('get', { kind: 'Environment', name });
    assert.equal(now.kind === 'Environment' && now.spec.state, 'Running');
  });

  test('the host key and port survive a runner restart; ssh keeps working unchanged', async () => {
    await r.kill('SIGKILL');
    await r.restart();
    const info = await r.client.call('sshInfo', {});
    assert.equal(info.hostKey, ids.hostKey);
    assert.equal(info.port, ids.port);
    await waitForPhase(r.client, name, 'Running');
    const res = await ssh(r.stateDir, [host, 'echo after-restart']);
    assert.equal(res.stdout, 'after-restart\n', res.stderr);
  });

  test('anything else answering on the port with another key is refused loudly', async () => {
    await r.kill('SIGKILL');
    const impostor = new Server({ hostKeys: [utils.generateKeyPairSync('ed25519').private] }, (c) => {
      c.on('error', () => {});
      c.on('authentication', (ctx) => ctx.accept());
    });
    await new Promise<void>((res) => impostor.listen(ids.port, '127.0.0.1', res));
    try {
      const res = await ssh(r.stateDir, [host, 'true']);
      assert.equal(res.code, 255);
      assert.match(res.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED/);
      assert.match(res.stderr, /Host key verification failed/);
    } finally {
      await new Promise((res) => impostor.close(res));
    }
  });

  test('a swapped host key file is not trusted silently: the pin stays and ssh fails', async () => {
    const swapped = utils.generateKeyPairSync('ed25519');
    writeFileSync(join(sshDir(), 'host_ed25519'), swapped.private, { mode: 0o600 });
    await r.restart();
    assert.equal(readFileSync(join(sshDir(), 'known_hosts'), 'utf8'), ids.knownHosts, 'pin unchanged');
    assert.match(r.log(), /WARNING: the host key changed, but .*known_hosts pins the previous one/);
    const res = await ssh(r.stateDir, [host, 'true']);
    assert.equal(res.code, 255);
    assert.match(res.stderr, /REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });
});
