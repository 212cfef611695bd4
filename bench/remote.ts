// bench/remote.ts: `devrig up` onto a remote Docker host (the engine reached only through sshd,
// one multiplexed SSH connection) against `devrig up` on the local engine, same devcontainer.json,
// cached image, interleaved in one run so machine noise hits both alike. Prints medians and the
// ratio. The "remote" host is a container with sshd on 127.0.0.1 and the engine's socket: the
// figure is devrig's own SSH overhead (channels, upload, round trips), not network latency.
//   node --import tsx bench/remote.ts [iterations]
import { BASE_IMAGE, requireDocker } from '../test/helpers/docker';
import { makeProject, removeProjects } from '../test/helpers/project';
import { cleanupRunner, startRunner } from '../test/helpers/runnerProcess';
import { addHost, clientKey, removeTestHosts, startSshHost } from '../test/helpers/sshHosts';
import { median, ms, ratio, timed } from './stats';

const N = Number(process.argv[2] ?? 5);
const config = {
  image: BASE_IMAGE,
  remoteUser: 'vscode',
  postCreateCommand: 'true',
  postStartCommand: 'true',
};
const files = { 'README.md': '# bench\n', 'src/main.py': 'print("hi")\n'.repeat(200) };

async function main(): Promise<void> {
  await requireDocker();
  const key = clientKey();
  const host = await startSshHost('bench', key, { dockerSocket: true });
  const r = await startRunner();
  const times = { local: [] as number[], remote: [] as number[] };
  try {
    await addHost(r, 'bench', host, key);
    // Warm-up: the connection, the image, page cache hot for both.
    for (const target of [[], ['--host', 'bench']]) {
      const res = await r.cli(['up', makeProject(config, files), ...target]);
      if (res.code !== 0) throw new Error(`warm-up failed: ${res.stderr}`);
    }
    for (let i = 0; i < N; i++) {
      for (const [kind, extra] of [
        ['local', []],
        ['remote', ['--host', 'bench']],
      ] as const) {
        const folder = makeProject(config, files);
        times[kind].push(
          await timed(async () => {
            const res = await r.cli(['up', folder, '--name', `${kind}-${i}`, ...extra]);
            if (res.code !== 0) throw new Error(`devrig up (${kind}) failed: ${res.stderr}`);
          }),
        );
      }
      process.stderr.write(
        `  run ${i + 1}/${N}: local ${ms(times.local.at(-1)!)}, remote ${ms(times.remote.at(-1)!)}\n`,
      );
    }
  } finally {
    await cleanupRunner(r);
    await removeTestHosts();
    removeProjects();
  }
  const l = median(times.local);
  const rm = median(times.remote);
  console.log(`bench/remote (${N} runs each, interleaved, cached image ${BASE_IMAGE})`);
  console.log(`  devrig up, local engine          median ${ms(l)}`);
  console.log(`  devrig up --host (Docker over SSH) median ${ms(rm)}   (folder uploaded into a volume)`);
  console.log(`  remote / local = ${ratio(rm, l)}`);
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
