// Compose on the runner's machine against a "remote" engine: a container running sshd with the
// engine's socket, reached over the host's SSH connection through a private local unix socket.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import {
  ComposeProject,
  composeOverride,
  findComposeCli,
  observeProject,
  readComposeModel,
  removeComposeProject,
} from '../../runner/compose';
import { dockerOverSsh } from '../../runner/providers/ssh/dockerOverSsh';
import {
  forwardEngineSocket,
  type EngineSocketForward,
} from '../../runner/providers/ssh/engineSocketForward';
import { SshConnection } from '../../runner/providers/ssh/sshConnection';
import { LABELS } from '../../runner/providers/provider';
import { composeDownProject } from '../helpers/compose';
import { BASE_IMAGE, requireDocker } from '../helpers/docker';
import { removeProjects, tempDir } from '../helpers/project';
import { clientKey, removeTestHosts, startSshHost } from '../helpers/sshHosts';

describe('Compose against an engine behind SSH, through a forwarded private socket', () => {
  const project = `devrig-remote-${process.pid}`;
  const runnerId = `test-compose-remote-${process.pid}`;
  const uid = randomUUID();
  let conn: SshConnection;
  let forward: EngineSocketForward;

  before(async () => {
    await requireDocker();
    const key = clientKey();
    const host = await startSshHost('composehost', key, { dockerSocket: true });
    conn = new SshConnection({
      name: 'composehost',
      address: '127.0.0.1',
      port: host.port,
      user: host.user,
      identityFile: key.identityFile,
      hostKey: await host.hostKey(),
    });
    conn.start();
    await conn.whenReady(20_000);
  });

  after(async () => {
    await forward?.close();
    conn?.close();
    await composeDownProject(project);
    await removeTestHosts();
    removeProjects();
  });

  test('the local socket is private and carries the Engine API over the SSH connection', async () => {
    const socket = join(tempDir('devrig-engine-'), 'state', 'engine.sock');
    forward = await forwardEngineSocket(conn, '/var/run/docker.sock', socket);
    assert.equal(forward.dockerHost, `unix://${socket}`);
    assert.equal(statSync(socket).mode & 0o777, 0o600);
    assert.equal(statSync(join(socket, '..')).mode & 0o777, 0o700);
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(socket);
      let text = '';
      s.on('data', (d) => (text += d));
      s.on('end', () => resolve(text));
      s.on('error', reject);
      s.write('GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n');
    });
    assert.match(reply, /^HTTP\/1\.[01] 200 OK[\s\S]*\r\n\r\nOK$/);
    assert.equal(forward.connections, 1);
  });

  test('a folder open to others is refused for the socket', async () => {
    const open = tempDir('devrig-engine-open-');
    mkdirSync(join(open, 'shared'), { mode: 0o777 });
    await assert.rejects(
      forwardEngineSocket(conn, '/var/run/docker.sock', join(open, 'shared', 'engine.sock')),
      /is open to other users/,
    );
  });

  test('Compose runs against the remote engine with DOCKER_HOST=unix://<forwarded socket>', async () => {
    const folder = tempDir('devrig-remote-compose-');
    const file = join(folder, 'compose.yml');
    writeFileSync(
      file,
      `services:\n  app:\n    image: ${BASE_IMAGE}\n    command: sleep infinity\n  cache:\n    image: ${BASE_IMAGE}\n    command: sleep infinity\n`,
    );
    // The runner's own DOCKER_HOST must not win: this one points nowhere.
    const env = { ...process.env, DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    const cli = await findComposeCli({ env });
    const model = await readComposeModel(cli, [file], { env, dockerHost: forward.dockerHost });
    const compose = new ComposeProject({
      cli,
      projectName: project,
      files: [file],
      stateDir: join(folder, 'state'),
      env,
      dockerHost: forward.dockerHost,
    });
    await compose.writeOverride(
      composeOverride({
        model,
        devService: 'app',
        labels: { [LABELS.managed]: 'true', [LABELS.runner]: runnerId, [LABELS.uid]: uid },
        dev: { containerEnv: { WHERE: 'remote' }, mounts: [], overrideCommand: true, labels: {} },
      }),
    );
    const before = forward.connections;
    await compose.up(['app', 'cache']);
    assert.ok(forward.connections > before, 'Compose went through the forwarded socket');
    // Observed the way the runner observes a remote host: its provider over the same SSH connection.
    const provider = dockerOverSsh(conn, '/var/run/docker.sock', 'composehost');
    const observed = await observeProject(provider, { runnerId, uid }, ['app', 'cache'], ['app', 'cache']);
    assert.deepEqual(
      observed.map((o) => [o.service, o.state]),
      [
        ['app', 'running'],
        ['cache', 'running'],
      ],
    );
    const inspect = await provider.docker.getContainer(observed[0]!.containerId!).inspect();
    assert.ok(inspect.Config.Env.includes('WHERE=remote'));
    await removeComposeProject(compose, provider, { runnerId, uid });
    const gone = await observeProject(provider, { runnerId, uid }, ['app', 'cache'], []);
    assert.deepEqual(
      gone.map((o) => o.state),
      ['missing', 'missing'],
    );
  });

  test('closing the forward removes the socket; nothing listens there any more', async () => {
    const path = forward.path;
    await forward.close();
    assert.throws(() => statSync(path), /ENOENT/);
    await assert.rejects(
      new Promise((resolve, reject) => connect(path).once('connect', resolve).once('error', reject)),
      /ENOENT/,
    );
  });
});
