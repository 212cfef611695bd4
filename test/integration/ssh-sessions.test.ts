import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'ssh2';
import { BASE_IMAGE, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects, tempDir } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { run, runInPty, ssh, sshConfigOf } from '../helpers/ssh';
import { waitFor } from '../helpers/wait';

// Sessions through the SSH gateway with Debian's OpenSSH client and only devrig's generated
// ssh_config: exec, PTYs (size, resize, Ctrl-C), EOF, signals, scp and sftp.
describe('ssh gateway: sessions', () => {
  let r: TestRunner;
  let folder: string;
  let workspace: string;
  const name = 'sess';
  const host = `devrig-${name}`;

  before(async () => {
    await requireDocker();
    r = await startRunner();
    folder = makeProject({ image: BASE_IMAGE, remoteUser: 'vscode', remoteEnv: { FROM_REMOTE_ENV: 'yes' } });
    const up = await r.cli(['up', folder, '--name', name, '--json']);
    assert.equal(up.code, 0, up.stderr);
    workspace = JSON.parse(up.stdout).workspaceFolder;
  });
  after(async () => {
    await cleanupRunner(r);
    removeProjects();
  });

  test('a command runs as remoteUser in the workspace folder; its exit status comes back', async () => {
    const res = await ssh(r.stateDir, [host, 'echo $PWD; id -un; echo $FROM_REMOTE_ENV; exit 7']);
    assert.equal(res.code, 7, res.stderr);
    assert.equal(res.stdout, `${workspace}\nvscode\nyes\n`);
    assert.equal(res.stderr, '');
  });

  test('stdout and stderr stay apart; stdin EOF ends cat; large input passes through', async () => {
    const split = await ssh(r.stateDir, [host, 'echo out; echo err >&2']);
    assert.deepEqual([split.code, split.stdout, split.stderr], [0, 'out\n', 'err\n']);
    const cat = await ssh(r.stateDir, [host, 'cat'], { input: 'hi\n' });
    assert.deepEqual([cat.code, cat.stdout], [0, 'hi\n']);
    const big = randomBytes(3 * 1024 * 1024).toString('base64');
    const wc = await ssh(r.stateDir, [host, 'wc -c'], { input: big });
    assert.equal(wc.stdout.trim(), String(big.length));
  });

  test('ssh -tt gets a terminal of the requested size that follows resizes', async () => {
    const res = await runInPty(
      [
        'ssh',
        '-F',
        sshConfigOf(r.stateDir),
        '-tt',
        host,
        // The shell inside reports each SIGWINCH its terminal gets: the resize arrived end to end.
        'tty; stty size; echo "TERM=$TERM"; trap "stty size" WINCH; echo trapped; ' +
          'until read -r -t 0.1 line && [ "$line" = q ]; do :; done',
      ],
      [40, 120],
      [{ expect: 'trapped' }, { resize: [50, 130] }, { expect: '50 130' }, { send: 'q\r' }],
    );
    assert.equal(res.exitCode, 0, res.output);
    assert.match(res.output, /^\/dev\/pts\/\d+\r\n40 120\r\nTERM=\S+\r\n/);
  });

  test('Ctrl-C in the terminal interrupts a running sleep at once', async () => {
    const res = await runInPty(
      ['ssh', '-F', sshConfigOf(r.stateDir), '-tt', host, 'echo started; sleep 100; echo not-interrupted'],
      [24, 80],
      [{ expect: 'started' }, { mark: 'sent' }, { send: '\x03' }],
    );
    assert.equal(res.exitCode, 130, res.output);
    assert.ok(res.marks.exit! - res.marks.sent! < 3, `took ${res.marks.exit! - res.marks.sent!} s`);
    assert.doesNotMatch(res.output, /not-interrupted/);
  });

  test('an interactive login shell: prompt, commands, exit', async () => {
    const res = await runInPty(
      ['ssh', '-F', sshConfigOf(r.stateDir), host],
      [30, 100],
      [
        { send: 'echo "shell:$0:$(pwd)"; shopt -q login_shell && echo LOGIN\r' },
        { expect: 'LOGIN' },
        { send: 'exit 3\r' },
      ],
    );
    assert.equal(res.exitCode, 3, res.output);
    assert.match(res.output, new RegExp(`shell:-?/?\\S*bash:${workspace}`));
  });

  test('signal requests reach the process; a death by that signal is reported as exit-signal', async () => {
    const key = readFileSync(join(r.stateDir, 'ssh', 'id_ed25519'));
    const port = Number(readFileSync(join(r.stateDir, 'ssh', 'port'), 'utf8'));
    const conn = new Client();
    await new Promise<void>((resolve, reject) => {
      conn.once('ready', resolve).once('error', reject);
      conn.connect({ host: '127.0.0.1', port, username: name, privateKey: key });
    });
    try {
      const result = await new Promise<{ code: number | null; signal?: string }>((resolve, reject) => {
        conn.exec('echo ready; exec sleep 100', (err, ch) => {
          if (err) return reject(err);
          ch.on('data', (d: Buffer) => {
            if (d.toString().includes('ready')) ch.signal('TERM');
          });
          ch.stderr.resume();
          ch.on('exit', (code: number | null, signal?: string) => resolve({ code, signal }));
        });
      });
      assert.deepEqual(result, { code: null, signal: 'SIGTERM' });
    } finally {
      conn.end();
    }
  });

  test(
    'scp and sftp round-trip a 50 MB file (and legacy scp -O works too)',
    { timeout: 180_000 },
    async () => {
      const dir = tempDir();
      const src = join(dir, 'random.bin');
      const data = randomBytes(50 * 1024 * 1024);
      writeFileSync(src, data);
      const sha = createHash('sha256').update(data).digest('hex');
      const cfg = sshConfigOf(r.stateDir);
      const sum = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

      const up = await run('scp', ['-F', cfg, src, `${host}:scp.bin`], { timeoutMs: 120_000 });
      assert.equal(up.code, 0, up.stderr);
      const inside = await ssh(r.stateDir, [host, 'sha256sum scp.bin; stat -c %U scp.bin']);
      assert.equal(
        inside.stdout,
        `${sha}  scp.bin\nvscode\n`,
        'landed in the workspace, owned by remoteUser',
      );
      const down = await run('scp', ['-F', cfg, `${host}:scp.bin`, join(dir, 'scp.back')], {
        timeoutMs: 120_000,
      });
      assert.equal(down.code, 0, down.stderr);
      assert.equal(sum(join(dir, 'scp.back')), sha);

      const batch = join(dir, 'batch');
      writeFileSync(
        batch,
        `put ${src} sftp.bin\nget sftp.bin ${join(dir, 'sftp.back')}\nrm sftp.bin\nrm scp.bin\n`,
      );
      const sftp = await run('sftp', ['-F', cfg, '-b', batch, host], { timeoutMs: 120_000 });
      assert.equal(sftp.code, 0, sftp.stderr);
      assert.equal(sum(join(dir, 'sftp.back')), sha);

      const legacy = await run('scp', ['-O', '-F', cfg, src, `${host}:/tmp/legacy.bin`], {
        timeoutMs: 120_000,
      });
      assert.equal(legacy.code, 0, legacy.stderr);
      const check = await ssh(r.stateDir, [host, 'sha256sum < /tmp/legacy.bin; rm /tmp/legacy.bin']);
      assert.equal(check.stdout.split(' ')[0], sha);
    },
  );

  test('without an sftp-server in the image, sftp gets a clear error', async () => {
    const asRoot = (cmd: string) => r.cli(['exec', name, '-u', 'root', '--', 'sh', '-c', cmd]);
    assert.equal((await asRoot('mv /usr/lib/openssh/sftp-server /usr/lib/openssh/sftp-server.off')).code, 0);
    try {
      const res = await run('sftp', ['-F', sshConfigOf(r.stateDir), '-b', '/dev/null', host]);
      assert.notEqual(res.code, 0);
      assert.match(res.stderr, /devrig: this environment has no sftp-server \(install openssh-sftp-server/);
    } finally {
      await asRoot('mv /usr/lib/openssh/sftp-server.off /usr/lib/openssh/sftp-server');
    }
  });

  test('a dropped terminal session hangs up its programs; a background server outlives a dropped exec', async () => {
    const running = async (marker: string) =>
      (await ssh(r.stateDir, [host, `ps -eo args= | grep -c '^${marker}' || true`])).stdout.trim() !== '0';
    // ssh is killed after its timeout each time, so the gateway sees the connection drop.
    // Like VS Code Remote-SSH starting its server: no PTY, a detached child, the connection kept open.
    const daemon = `daemon-${Date.now()}`;
    const b = await ssh(r.stateDir, [host, `(exec -a ${daemon} sleep 1000 &) ; echo started; sleep 1000`], {
      timeoutMs: 2_000,
    });
    assert.equal(b.stdout, 'started\n');

    const tty = `hup-tty-${Date.now()}`;
    const a = await ssh(r.stateDir, ['-tt', host, `exec -a ${tty} sleep 1000`], { timeoutMs: 2_000 });
    assert.equal(a.signal, 'SIGKILL');
    await waitFor('the terminal program to be hung up', async () => !(await running(tty)), 10_000, 200);
    // By now the earlier drop has long been handled too.
    assert.equal(await running(daemon), true, 'the server survived the dropped connection');
    await ssh(r.stateDir, [host, `pkill -f '^${daemon}' || true`]);
  });
});
