// bench/up.ts: how long `devrig up` takes to reach Ready, against `devcontainer up`
// (@devcontainers/cli) and against the floor (create + start + exec through the raw
// Docker API), for the same devcontainer.json and a cached image, interleaved in one
// run so machine noise hits all three alike. Prints medians and ratios.
//   node --import tsx bench/up.ts [iterations]
import { spawnSync } from 'node:child_process';
import type { RunnerClient } from '../runner/client/runnerClient';
import { join } from 'node:path';
import { BASE_IMAGE, docker, requireDocker } from '../test/helpers/docker';
import { makeProject, removeProjects } from '../test/helpers/project';
import { cleanupRunner, ROOT, startRunner } from '../test/helpers/runnerProcess';
import { median, ms, ratio, timed } from './stats';
import { waitForDeleted, waitForPhase } from '../test/helpers/wait';

const N = Number(process.argv[2] ?? 15);
const DEVCONTAINER = join(ROOT, 'node_modules/.bin/devcontainer');
const config = { image: BASE_IMAGE, remoteUser: 'vscode', postStartCommand: 'true' };

async function floor(): Promise<void> {
  const c = await docker.createContainer({
    Image: BASE_IMAGE,
    Entrypoint: ['/bin/sh'],
    Cmd: ['-c', 'trap "exit 0" TERM; while sleep 1000 & wait $!; do :; done'],
    Labels: { 'devrig-bench': 'floor' },
  });
  await c.start();
  const e = await c.exec({ Cmd: ['true'], AttachStdout: true, AttachStderr: true, User: 'vscode' });
  const s = await e.start({ hijack: true, stdin: false });
  await new Promise((r) => s.on('end', r).resume());
}

/** The per-folder images devcontainer derives (vsc-…-uid, to update the user's UID): its build cache. */
const derivedImages = new Set<string>();

/** The floor's and devcontainer's containers; derived images only at the end (with `images`). */
async function removeBenchContainers(images = false): Promise<void> {
  for (const c of await docker.listContainers({ all: true, filters: { label: ['devrig-bench'] } })) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true, v: true })
      .catch(() => {});
    if (c.Image.startsWith('vsc-')) derivedImages.add(c.Image);
  }
  if (!images) return;
  for (const image of derivedImages) {
    await docker
      .getImage(image)
      .remove({ force: true })
      .catch(() => {});
  }
}

async function removeRun(client: RunnerClient, environments: string[]): Promise<void> {
  await Promise.all(
    environments.map(async (name) => {
      const gone = waitForDeleted(client, name);
      await client.call('delete', { kind: 'Environment', name });
      await gone;
    }),
  );
  await removeBenchContainers();
}

async function main(): Promise<void> {
  await requireDocker();
  const r = await startRunner();
  const times = {
    devrig: [] as number[],
    api: [] as number[],
    devcontainer: [] as number[],
    floor: [] as number[],
  };
  try {
    // Warm-up: image layers and page cache hot for everyone.
    await floor();
    for (let i = 0; i < N; i++) {
      const a = makeProject(config);
      times.devrig.push(
        await timed(async () => {
          const res = await r.cli(['up', a, '--name', `bench-${i}`]);
          if (res.code !== 0) throw new Error(`devrig up failed: ${res.stderr}`);
        }),
      );
      // The same through the API, as the extension does it: no CLI process to start.
      const c = makeProject(config);
      times.api.push(
        await timed(async () => {
          const ready = waitForPhase(r.client, `bench-api-${i}`, 'Running', 60_000);
          await r.client.call('apply', {
            resource: {
              kind: 'Environment',
              metadata: { name: `bench-api-${i}` },
              spec: { source: { folder: c } },
            },
          });
          await ready;
        }),
      );
      const b = makeProject(config);
      times.devcontainer.push(
        await timed(async () => {
          const res = spawnSync(
            DEVCONTAINER,
            [
              'up',
              '--workspace-folder',
              b,
              '--id-label',
              'devrig-bench=devcontainer',
              '--id-label',
              `devrig-bench-i=${i}`,
            ],
            {
              encoding: 'utf8',
            },
          );
          if (res.status !== 0) throw new Error(`devcontainer up failed: ${res.stderr}${res.stdout}`);
        }),
      );
      times.floor.push(await timed(floor));
      // Every run starts from the same machine: one run's environments and containers (and
      // whatever watches them) do not weigh on the next.
      await removeRun(r.client, [`bench-${i}`, `bench-api-${i}`]);
      process.stderr.write(
        `  run ${i + 1}/${N}: devrig ${ms(times.devrig.at(-1)!)}, api ${ms(times.api.at(-1)!)}, devcontainer ${ms(times.devcontainer.at(-1)!)}, floor ${ms(times.floor.at(-1)!)}\n`,
      );
    }
  } finally {
    await cleanupRunner(r);
    await removeBenchContainers(true);
    removeProjects();
  }
  const d = median(times.devrig);
  const api = median(times.api);
  const dc = median(times.devcontainer);
  const f = median(times.floor);
  console.log(`bench/up (${N} runs each, interleaved, cached image ${BASE_IMAGE})`);
  console.log(`  devrig up → Ready       median ${ms(d)}`);
  console.log(
    `  the same via the API    median ${ms(api)}   (no CLI process start; what the extension does)`,
  );
  console.log(`  devcontainer up         median ${ms(dc)}`);
  console.log(`  floor (create+start+exec via the Docker API) median ${ms(f)}`);
  console.log(`  devrig / devcontainer = ${ratio(d, dc)}   (target ≤ 0.5×)`);
  console.log(`  devrig / floor        = ${ratio(d, f)}   (target ≤ 1.5×)`);
  console.log(`  API / floor           = ${ratio(api, f)}`);
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
