// bench/features.ts: `devrig up` against `devcontainer up` (@devcontainers/cli) for the same config with
// three local Features, interleaved in one run so machine noise hits both alike:
//   cold: neither tool's Feature image exists (devrig's devrig/*-features, the reference's vsc-*);
//   warm: the container was removed, the Features unchanged (devrig reuses its image by content hash,
//         the reference builds its Features image again, devcontainers/cli #1262).
// Prints medians and ratios.   node --import tsx bench/features.ts [iterations]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_IMAGE, docker, requireDocker } from '../test/helpers/docker';
import { makeProject, removeProjects } from '../test/helpers/project';
import { cleanupRunner, ROOT, startRunner, type TestRunner } from '../test/helpers/runnerProcess';
import { deleteAndWait } from '../test/helpers/wait';
import { median, ms, ratio, timed } from './stats';

const N = Number(process.argv[2] ?? 3);
const DEVCONTAINER = join(ROOT, 'node_modules/.bin/devcontainer');
const LABEL = 'devrig-bench-features';

/** A project with three small local Features (files, an option, containerEnv), as the user writes them. */
function project(): string {
  const features: Record<string, object> = {};
  const folder = makeProject({ image: BASE_IMAGE, remoteUser: 'vscode', features: {} });
  for (const id of ['alpha', 'beta', 'gamma']) {
    const dir = join(folder, '.devcontainer', id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'devcontainer-feature.json'),
      JSON.stringify({
        id,
        version: '1.0.0',
        options: { word: { type: 'string', default: id } },
        containerEnv: { [`${id.toUpperCase()}_HOME`]: `/opt/${id}` },
      }),
    );
    writeFileSync(
      join(dir, 'install.sh'),
      `#!/bin/sh\nset -e\nmkdir -p /opt/${id}\necho "$WORD" > /opt/${id}/word\n`,
      { mode: 0o755 },
    );
    features[`./${id}`] = {};
  }
  writeFileSync(
    join(folder, '.devcontainer', 'devcontainer.json'),
    JSON.stringify({ image: BASE_IMAGE, remoteUser: 'vscode', features }),
  );
  return folder;
}

async function removeContainers(): Promise<void> {
  for (const c of await docker.listContainers({ all: true, filters: { label: [LABEL] } }))
    await docker
      .getContainer(c.Id)
      .remove({ force: true, v: true })
      .catch(() => {});
}

/** Every Feature image either tool built in this run (devrig's by its runner label, the reference's vsc-*). */
async function removeFeatureImages(): Promise<void> {
  for (const i of await docker.listImages()) {
    const tags = i.RepoTags ?? [];
    if (tags.some((t) => t.startsWith('vsc-devrig-proj-') || t.startsWith('devrig/bench-features')))
      await docker
        .getImage(i.Id)
        .remove({ force: true })
        .catch(() => {});
  }
}

async function devrigUp(r: TestRunner, folder: string, name: string): Promise<void> {
  const res = await r.cli(['up', folder, '--name', name]);
  if (res.code !== 0) throw new Error(`devrig up failed: ${res.stderr}${res.stdout}`);
}

function devcontainerUp(folder: string): void {
  const res = spawnSync(DEVCONTAINER, ['up', '--workspace-folder', folder, '--id-label', `${LABEL}=1`], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.status !== 0) throw new Error(`devcontainer up failed: ${res.stderr}${res.stdout}`);
}

function removeEnvironment(r: TestRunner, name: string): Promise<void> {
  return deleteAndWait(r.client, name);
}

async function main(): Promise<void> {
  await requireDocker();
  const r = await startRunner();
  const times = {
    devrigCold: [] as number[],
    dcCold: [] as number[],
    devrigWarm: [] as number[],
    dcWarm: [] as number[],
  };
  try {
    for (let i = 0; i < N; i++) {
      await removeFeatureImages();
      const ours = project();
      const theirs = project();
      const name = 'bench-features';
      times.devrigCold.push(await timed(() => devrigUp(r, ours, name)));
      times.dcCold.push(await timed(async () => devcontainerUp(theirs)));
      // Warm: the containers go, the images stay (deleting the environment would remove its image).
      const env = await r.client.call('get', { kind: 'Environment', name });
      const id = env.kind === 'Environment' ? env.status.containerId : undefined;
      if (id) await docker.getContainer(id).remove({ force: true });
      await removeContainers();
      times.devrigWarm.push(await timed(() => devrigUp(r, ours, name)));
      times.dcWarm.push(await timed(async () => devcontainerUp(theirs)));
      await removeEnvironment(r, name);
      await removeContainers();
      process.stderr.write(
        `  run ${i + 1}/${N}: cold devrig ${ms(times.devrigCold.at(-1)!)} vs ${ms(times.dcCold.at(-1)!)}; warm devrig ${ms(times.devrigWarm.at(-1)!)} vs ${ms(times.dcWarm.at(-1)!)}\n`,
      );
    }
  } finally {
    await cleanupRunner(r);
    await removeContainers();
    await removeFeatureImages();
    removeProjects();
  }
  const dc = median(times.devrigCold);
  const cc = median(times.dcCold);
  const dw = median(times.devrigWarm);
  const cw = median(times.dcWarm);
  console.log(`bench/features (${N} runs, interleaved, three local Features on ${BASE_IMAGE})`);
  console.log(`  cold: devrig up ${ms(dc)}, devcontainer up ${ms(cc)}: ${ratio(dc, cc)}   (target ≤ 0.8×)`);
  console.log(`  warm: devrig up ${ms(dw)}, devcontainer up ${ms(cw)}: ${ratio(dw, cw)}   (target ≤ 0.3×)`);
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
