// bench/ssh.ts: the SSH gateway against the alternatives, in one run on one environment.
//  1. Latency: median of `ssh devrig-<env> true` vs `docker exec <c> true` vs
//     `devcontainer exec --container-id <c> true`, interleaved so noise hits all alike.
//  2. Throughput: 1 GiB from a server inside the environment, through `ssh -L` vs straight
//     to the container's IP (the same server).
//   node --import tsx bench/ssh.ts [latency-runs] [throughput-runs]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import { DockerProvider } from '../runner/providers/docker/dockerProvider';
import { BASE_IMAGE, docker, requireDocker } from '../test/helpers/docker';
import { makeProject, removeProjects } from '../test/helpers/project';
import { cleanupRunner, ROOT, startRunner, type TestRunner } from '../test/helpers/runnerProcess';
import { firstBytesArrive, freePort } from '../test/helpers/net';
import { sshConfigOf, sshForwardArgs } from '../test/helpers/ssh';
import { waitFor } from '../test/helpers/wait';
import { median, ms, ratio, timed } from './stats';

const N = Number(process.argv[2] ?? 15);
const T = Number(process.argv[3] ?? 3);
const GIB = 1024 * 1024 * 1024;
const DEVCONTAINER = join(ROOT, 'node_modules/.bin/devcontainer');
const SERVER_PORT = 9000;
const name = 'bench-ssh';

/** Sends 1 GiB of zeros to each connection, from inside the environment. */
const SENDER = `
import socket, threading
buf = b"\\0" * (1 << 20)
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", ${SERVER_PORT})); s.listen(8)
def send(c):
    for _ in range(1024): c.sendall(buf)
    c.close()
while True:
    c, _ = s.accept(); threading.Thread(target=send, args=(c,), daemon=True).start()
`;

function mustRun(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
}

/** Reads everything from host:port; returns MB/s (10^6 bytes per second). */
function download(port: number, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    let n = 0;
    const s = connect(port, host);
    s.on('data', (d: Buffer) => (n += d.length));
    s.on('error', reject);
    s.on('end', () => {
      const secs = Number(process.hrtime.bigint() - t) / 1e9;
      if (n !== GIB) reject(new Error(`got ${n} bytes, expected ${GIB}`));
      else resolve(n / 1e6 / secs);
    });
  });
}

/** The same download through the provider's exec relay alone: what ssh -L rides on. */
async function relayDownload(provider: DockerProvider, container: string): Promise<number> {
  const t = process.hrtime.bigint();
  const s = await provider.connectTcp(container, SERVER_PORT);
  let n = 0;
  s.on('data', (d: Buffer) => (n += d.length));
  await new Promise((resolve, reject) => s.on('end', resolve).on('error', reject));
  s.destroy();
  if (n !== GIB) throw new Error(`relay: got ${n} bytes, expected ${GIB}`);
  return n / 1e6 / (Number(process.hrtime.bigint() - t) / 1e9);
}

async function main(): Promise<void> {
  await requireDocker();
  let r: TestRunner | undefined;
  let forward: ChildProcess | undefined;
  try {
    r = await startRunner();
    const folder = makeProject({ image: BASE_IMAGE, remoteUser: 'vscode' });
    const up = await r.cli(['up', folder, '--name', name]);
    if (up.code !== 0) throw new Error(`devrig up failed: ${up.stderr}`);
    const env = await r.client.call('get', { kind: 'Environment', name });
    const container = env.kind === 'Environment' ? env.status.containerId! : '';
    const cfg = sshConfigOf(r.stateDir);

    const runners = {
      ssh: () => mustRun('ssh', ['-F', cfg, `devrig-${name}`, 'true']),
      docker: () => mustRun('docker', ['exec', '-u', 'vscode', container, 'true']),
      devcontainer: () =>
        mustRun(DEVCONTAINER, ['exec', '--workspace-folder', folder, '--container-id', container, 'true']),
    };
    const times: Record<keyof typeof runners, number[]> = { ssh: [], docker: [], devcontainer: [] };
    for (const run of Object.values(runners)) run(); // warm-up
    for (let i = 0; i < N; i++) {
      for (const [k, run] of Object.entries(runners) as [keyof typeof runners, () => void][]) {
        times[k].push(await timed(async () => run()));
      }
      process.stderr.write(
        `  latency ${i + 1}/${N}: ssh ${ms(times.ssh.at(-1)!)}, docker exec ${ms(times.docker.at(-1)!)}, devcontainer exec ${ms(times.devcontainer.at(-1)!)}\n`,
      );
    }

    // Throughput: the sender inside, ssh -L on the host, and the container's own address.
    mustRun('ssh', ['-F', cfg, `devrig-${name}`, `nohup python3 -c '${SENDER}' >/dev/null 2>&1 &`]);
    const info = await docker.getContainer(container).inspect();
    const ip = Object.values(info.NetworkSettings.Networks)[0]?.IPAddress;
    if (!ip) throw new Error('the container has no IP address to connect to directly');
    const local = await freePort();
    forward = spawn(
      'ssh',
      sshForwardArgs(r.stateDir, `${local}:localhost:${SERVER_PORT}`, `devrig-${name}`),
      {
        stdio: 'ignore',
      },
    );
    await waitFor('the sender and the forward', () => firstBytesArrive(local), 30_000, 200);
    const through: number[] = [];
    const direct: number[] = [];
    const relay: number[] = [];
    const provider = new DockerProvider();
    for (let i = 0; i < T; i++) {
      through.push(await download(local));
      direct.push(await download(SERVER_PORT, ip));
      relay.push(await relayDownload(provider, container));
      process.stderr.write(
        `  1 GiB ${i + 1}/${T}: ssh -L ${through.at(-1)!.toFixed(0)} MB/s, direct ${direct.at(-1)!.toFixed(0)} MB/s, ` +
          `exec relay alone ${relay.at(-1)!.toFixed(0)} MB/s\n`,
      );
    }

    const s = median(times.ssh);
    const d = median(times.docker);
    const dc = median(times.devcontainer);
    const mbps = median(through);
    console.log(`bench/ssh (${N} latency runs interleaved, ${T}×1 GiB, image ${BASE_IMAGE})`);
    console.log(`  ssh devrig-${name} true           median ${ms(s)}`);
    console.log(`  docker exec <c> true             median ${ms(d)}`);
    console.log(`  devcontainer exec … true         median ${ms(dc)}`);
    console.log(`  ssh / docker exec       = ${ratio(s, d)}   (target ≤ 1.5×)`);
    console.log(`  ssh / devcontainer exec = ${ratio(s, dc)}   (target ≤ 0.3×)`);
    console.log(`  1 GiB through ssh -L    median ${mbps.toFixed(0)} MB/s   (target ≥ 100 MB/s)`);
    console.log(`  1 GiB direct to ${ip}  median ${median(direct).toFixed(0)} MB/s`);
    console.log(`  ssh -L / direct         = ${ratio(mbps, median(direct))}`);
    console.log(
      `  the exec relay alone (provider.connectTcp, no SSH) median ${median(relay).toFixed(0)} MB/s: the ceiling of ssh -L`,
    );
  } catch (e) {
    if (r) process.stderr.write(`runner log:\n${r.log()}\n`);
    throw e;
  } finally {
    if (forward && forward.exitCode === null) forward.kill('SIGTERM');
    await cleanupRunner(r);
    removeProjects();
  }
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
