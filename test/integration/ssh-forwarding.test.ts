import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { BASE_IMAGE, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects, tempDir } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { freePort, firstBytesArrive } from '../helpers/net';
import { run, ssh, sshForwardArgs } from '../helpers/ssh';
import { waitFor } from '../helpers/wait';

/** A free port on 127.0.0.1 for ssh -L to listen on. */

/** Connects to a local port, sends `send`, returns everything until the far end closes. */
function exchange(port: number, send: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let got = '';
    sock.on('data', (d) => (got += d));
    sock.on('end', () => resolve(got));
    sock.on('error', reject);
    sock.write(send);
  });
}

// Port and agent forwarding through the gateway, with OpenSSH's ssh and ssh-agent.
describe('ssh gateway: forwarding', () => {
  let r: TestRunner;
  const name = 'fwd';
  const host = `devrig-${name}`;
  const children: ChildProcess[] = [];

  /** ssh -L or ssh-agent in the background; stopped in after(). */
  function background(cmd: string, args: string[], env?: NodeJS.ProcessEnv): ChildProcess {
    const c = spawn(cmd, args, { stdio: 'ignore', env: env ?? process.env });
    children.push(c);
    return c;
  }
  const stop = async (c: ChildProcess) => {
    if (c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((res) => c.once('exit', res));
    c.kill('SIGTERM');
    await exited;
  };

  before(async () => {
    await requireDocker();
    r = await startRunner();
    const folder = makeProject({ image: BASE_IMAGE, remoteUser: 'vscode' });
    const up = await r.cli(['up', folder, '--name', name]);
    assert.equal(up.code, 0, up.stderr);
    const serve = await ssh(r.stateDir, [
      host,
      'mkdir -p /tmp/www && echo "hello through the tunnel" > /tmp/www/index.html && ' +
        'head -c 64M /dev/zero > /tmp/www/big && ' +
        'cd /tmp/www && nohup python3 -m http.server 8765 --bind 127.0.0.1 >/dev/null 2>&1 & ' +
        'nohup python3 -c "import socketserver as s\n' +
        'class H(s.StreamRequestHandler):\n' +
        '    def handle(self): self.wfile.write(b\\"unix:\\" + self.rfile.readline())\n' +
        's.UnixStreamServer(\\"/tmp/devrig-test.sock\\", H).serve_forever()" >/dev/null 2>&1 &',
    ]);
    assert.equal(serve.code, 0, serve.stderr);
  });
  after(async () => {
    for (const c of children) await stop(c);
    await cleanupRunner(r);
    removeProjects();
  });

  test('ssh -L reaches a server listening on localhost inside the environment', async () => {
    const port = await freePort();
    const fwd = background('ssh', sshForwardArgs(r.stateDir, `${port}:localhost:8765`, host));
    const body = await waitFor(
      'the forward to serve the page',
      async () => {
        const page = await exchange(port, 'GET /index.html HTTP/1.0\r\n\r\n');
        return page.includes('hello through the tunnel') ? page : undefined;
      },
      20_000,
      100,
    );
    assert.match(body, /^HTTP\/1\.0 200 OK/);
    // Many connections at once, each its own channel.
    const pages = await Promise.all(
      Array.from({ length: 8 }, () => exchange(port, 'GET / HTTP/1.0\r\n\r\n')),
    );
    for (const p of pages) assert.match(p, /^HTTP\/1\.0 200/);
    await stop(fwd);
  });

  test('clients dropping forwards in mid-transfer leave the runner and the forward working', async () => {
    const port = await freePort();
    background('ssh', sshForwardArgs(r.stateDir, `${port}:localhost:8765`, host));
    const dropAfterFirstBytes = () => firstBytesArrive(port, 'GET /big HTTP/1.0\r\n\r\n');
    await waitFor('the forward', dropAfterFirstBytes, 20_000, 100);
    for (let i = 0; i < 5; i++) assert.equal(await dropAfterFirstBytes(), true);
    await Promise.all(Array.from({ length: 5 }, dropAfterFirstBytes));
    assert.equal(r.child.exitCode, null, 'runner still running');
    assert.match(await exchange(port, 'GET /index.html HTTP/1.0\r\n\r\n'), /hello through the tunnel/);
    assert.equal((await r.client.call('list', { kind: 'Environment' })).items.length, 1);
  });

  test('forwards anywhere but the environment loopback are refused, and logged', async () => {
    for (const dest of ['10.255.255.1:80', '172.17.0.1:2375', '127.0.0.2:8765', 'example.com:80']) {
      const res = await ssh(r.stateDir, ['-o', 'LogLevel=INFO', '-W', dest, host]);
      assert.equal(res.code, 255, dest);
      assert.match(
        res.stderr,
        /open failed: administratively prohibited: forwarding to .* is not allowed/,
        dest,
      );
    }
    assert.match(r.log(), /refused forward: forwarding to 10\.255\.255\.1:80 is not allowed/);
  });

  test('a forward to a closed port fails the channel open with the reason', async () => {
    const res = await ssh(r.stateDir, ['-o', 'LogLevel=INFO', '-W', 'localhost:9', host]);
    assert.equal(res.code, 255);
    assert.match(res.stderr, /open failed: connect failed: cannot connect to port 9/);
  });

  test('ssh -L to a unix socket inside (direct-streamlocal)', async () => {
    const port = await freePort();
    background('ssh', sshForwardArgs(r.stateDir, `${port}:/tmp/devrig-test.sock`, host));
    const reply = await waitFor(
      'the unix socket forward',
      async () => {
        const got = await exchange(port, 'ping\n');
        return got || undefined;
      },
      20_000,
      100,
    );
    assert.equal(reply, 'unix:ping\n');
  });

  test('ssh -A makes the local agent usable inside; without -A there is none', async () => {
    const dir = tempDir();
    const sock = join(dir, 'agent.sock');
    background('ssh-agent', ['-D', '-a', sock]);
    await waitFor('ssh-agent to listen', () => existsSync(sock));
    const env = { ...process.env, SSH_AUTH_SOCK: sock };
    const key = join(dir, 'key');
    assert.equal(
      (await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'agent-test-key', '-f', key])).code,
      0,
    );
    const add = await run('ssh-add', [key], { env });
    assert.equal(add.code, 0, add.stderr);

    const listed = await ssh(r.stateDir, ['-A', host, 'ssh-add -l; echo "sock=$SSH_AUTH_SOCK"'], { env });
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^256 SHA256:\S+ agent-test-key \(ED25519\)\n/);
    const inside = /sock=(\S+)/.exec(listed.stdout)![1]!;
    assert.match(inside, /^\/tmp\/devrig-agent-[^/]+\/agent\.sock$/);

    // A real signature made by the agent on the user's machine, requested from inside.
    const pub = readFileSync(key + '.pub', 'utf8').trim();
    const signed = await ssh(
      r.stateDir,
      ['-A', host, `echo '${pub}' > /tmp/k.pub && echo data | ssh-keygen -Y sign -n test -f /tmp/k.pub`],
      { env },
    );
    assert.equal(signed.code, 0, signed.stderr);
    assert.match(signed.stdout, /BEGIN SSH SIGNATURE/);

    const without = await ssh(
      r.stateDir,
      [host, `ssh-add -l; echo "sock=[$SSH_AUTH_SOCK]"; ls -d ${inside} 2>&1`],
      { env },
    );
    assert.match(without.stdout, /sock=\[\]/);
    assert.match(without.stdout, /No such file or directory/, 'the relay socket went away with its session');
  });
});
