// "Remote VMs" for tests: containers from the offline base image running sshd, port 22
// published on 127.0.0.1 only. A docker-mode host also gets the engine's socket, so its user
// reaches "the host's Docker" over SSH (the same engine the tests inspect).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { utils } from 'ssh2';
import { pack } from 'tar-stream';
import type { Host } from '../../runner/api';
import type { RunnerClient } from '../../runner/client/runnerClient';
import { BASE_IMAGE, docker } from './docker';
import type { TestRunner } from './runnerProcess';
import { tempDir } from './project';
import { waitFor, watchResourceUntil } from './wait';

export const HOSTS_LABEL = 'devrig-test';
const OWNER = `${process.pid}`;

const ENTRY = `#!/bin/sh
set -e
ssh-keygen -A >/dev/null
mkdir -p /run/sshd /home/vscode/.ssh
printf '%s\\n' "$AUTHORIZED_KEY" > /home/vscode/.ssh/authorized_keys
chown -R vscode:vscode /home/vscode/.ssh
chmod 700 /home/vscode/.ssh
chmod 600 /home/vscode/.ssh/authorized_keys
if [ -S /var/run/docker.sock ]; then
  gid=$(stat -c %g /var/run/docker.sock)
  getent group "$gid" >/dev/null || groupadd -g "$gid" dockerhost
  usermod -aG "$(getent group "$gid" | cut -d: -f1)" vscode
fi
exec /usr/sbin/sshd -D -e
`;

const DOCKERFILE = `FROM ${BASE_IMAGE}
COPY entry.sh /usr/local/bin/devrig-test-sshd
RUN chmod 755 /usr/local/bin/devrig-test-sshd && usermod -p '*' vscode
ENTRYPOINT ["/usr/local/bin/devrig-test-sshd"]
`;

const IMAGE = `devrig-test-sshhost:${createHash('sha256')
  .update(DOCKERFILE + ENTRY)
  .digest('hex')
  .slice(0, 12)}`;

/** Builds the sshd image once per machine (the tag is a hash of its inputs). */
export async function ensureHostImage(): Promise<string> {
  try {
    await docker.getImage(IMAGE).inspect();
    return IMAGE;
  } catch {
    /* build it */
  }
  const p = pack();
  p.entry({ name: 'Dockerfile' }, DOCKERFILE);
  p.entry({ name: 'entry.sh', mode: 0o755 }, ENTRY);
  p.finalize();
  const stream = await docker.buildImage(p as unknown as Readable, {
    t: IMAGE,
    labels: { [HOSTS_LABEL]: 'hosts' },
  });
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) => {
      const bad = out?.find((o) => o.error);
      if (err || bad) reject(err ?? new Error(bad!.error));
      else resolve();
    }),
  );
  return IMAGE;
}

export interface ClientKey {
  identityFile: string;
  publicKey: string;
}

/** An ed25519 key pair for the tests' SSH client (the runner's identityFile). */
export function clientKey(): ClientKey {
  const k = utils.generateKeyPairSync('ed25519');
  const identityFile = join(tempDir('devrig-key-'), 'id_ed25519');
  writeFileSync(identityFile, k.private, { mode: 0o600 });
  chmodSync(identityFile, 0o600);
  return { identityFile, publicKey: k.public };
}

export interface TestHost {
  id: string;
  name: string;
  port: number;
  user: string;
  /** The host key line sshd presents (`ssh-ed25519 AAAA...`). */
  hostKey(): Promise<string>;
  sh(script: string, user?: string): Promise<{ code: number; out: string }>;
  pause(): Promise<void>;
  unpause(): Promise<void>;
  /** New host keys, and every SSH connection to it dropped (a reinstalled machine). */
  rotateHostKey(): Promise<void>;
}

export async function startSshHost(
  name: string,
  key: ClientKey,
  opts: { dockerSocket?: boolean } = {},
): Promise<TestHost> {
  const image = await ensureHostImage();
  const c = await docker.createContainer({
    Image: image,
    name: `devrig-test-host-${name}-${OWNER}`,
    Hostname: name,
    Env: [`AUTHORIZED_KEY=${key.publicKey}`],
    Labels: { [HOSTS_LABEL]: 'hosts', 'devrig-test-owner': OWNER },
    ExposedPorts: { '22/tcp': {} },
    HostConfig: {
      PortBindings: { '22/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
      Binds: opts.dockerSocket ? ['/var/run/docker.sock:/var/run/docker.sock'] : [],
    },
  });
  await c.start();
  const info = await c.inspect();
  const port = Number(info.NetworkSettings.Ports['22/tcp']?.[0]?.HostPort);
  const sh = async (script: string, user = 'root') => {
    const e = await c.exec({
      Cmd: ['/bin/sh', '-c', script],
      AttachStdout: true,
      AttachStderr: true,
      User: user,
    });
    const s = await e.start({ hijack: true, stdin: false });
    let out = '';
    const sink = new PassThrough();
    sink.on('data', (d: Buffer) => (out += d.toString()));
    docker.modem.demuxStream(s, sink, sink);
    await new Promise<void>((resolve) => s.on('end', resolve).on('close', resolve));
    return { code: (await e.inspect()).ExitCode ?? -1, out };
  };
  const host: TestHost = {
    id: c.id,
    name,
    port,
    user: 'vscode',
    hostKey: async () => (await sh('cut -d" " -f1,2 /etc/ssh/ssh_host_ed25519_key.pub')).out.trim(),
    sh,
    pause: () => c.pause(),
    unpause: () => c.unpause(),
    rotateHostKey: async () => {
      await sh('rm -f /etc/ssh/ssh_host_* && ssh-keygen -A >/dev/null && pkill -f "sshd: vscode" ; true');
      // sshd (pid 1) reads its keys per connection only after a restart: re-exec it.
      await sh('kill -HUP 1');
      await waitForSsh(port);
    },
  };
  await waitForSsh(port);
  return host;
}

/** Until sshd on `port` sends its banner. */
export async function waitForSsh(port: number): Promise<void> {
  await waitFor(
    `sshd on 127.0.0.1:${port}`,
    () =>
      new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1');
        const done = (ok: boolean) => {
          s.destroy();
          resolve(ok);
        };
        s.once('data', (d) => done(d.toString().startsWith('SSH-')));
        s.once('error', () => done(false));
        // docker-proxy accepts, then hangs up while sshd is not listening yet.
        s.once('close', () => done(false));
        s.setTimeout(1000, () => done(false));
      }),
    20_000,
    100,
  );
}

/** Removes this process's test hosts (in after hooks, also after failures). */
export async function removeTestHosts(): Promise<void> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`${HOSTS_LABEL}=hosts`, `devrig-test-owner=${OWNER}`] },
  });
  for (const c of list) {
    const ct = docker.getContainer(c.Id);
    if (c.State === 'paused') await ct.unpause().catch(() => {});
    await ct.remove({ force: true }).catch(() => {});
  }
}

/** Waits, through the runner's watch stream, until the Host satisfies `pred`. */
export function watchHostUntil(
  client: RunnerClient,
  name: string,
  pred: (h: Host) => boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<Host> {
  return watchResourceUntil(client, 'Host', name, pred, what, timeoutMs);
}

/** `devrig host add NAME vscode@127.0.0.1:PORT --accept-new ...`, then Ready. */
export async function addHost(
  r: TestRunner,
  name: string,
  h: TestHost,
  key: ClientKey,
  extra: string[] = [],
): Promise<Host> {
  const res = await r.cli([
    'host',
    'add',
    name,
    `${h.user}@127.0.0.1:${h.port}`,
    '--identity',
    key.identityFile,
    '--accept-new',
    ...extra,
  ]);
  if (res.code !== 0) throw new Error(`host add ${name} failed (${res.code}): ${res.stdout}${res.stderr}`);
  return watchHostUntil(r.client, name, (x) => x.status.phase === 'Ready', 'to be Ready');
}

/** Runs OpenSSH's own client against devrig's generated ssh_config: what `ssh devrig-<env>` does. */
export function openSsh(
  stateDir: string,
  env: string,
  command: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      'ssh',
      ['-F', join(stateDir, 'ssh_config'), '-o', 'BatchMode=yes', `devrig-${env}`, command],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
