// bench/compose.ts: `devrig up` against `devcontainer up` (@devcontainers/cli) for the same two-service
// Docker Compose config (a dev service and a "db" service, both from the local base image: no build,
// no pull, no Features), interleaved in one run so machine noise hits both alike:
//   cold: no container of the project exists (the image is present);
//   warm: the project's containers exist but are stopped (`devrig stop`, `docker compose stop`), as
//         after the end of a working day: the second `up` starts them again.
// Each tool gets its own folder (the folder names the Compose project); who goes first alternates.
// Prints medians and ratios.   node --import tsx bench/compose.ts [iterations]
import { basename } from 'node:path';
import { composeDownProject, DEVCONTAINER, run } from '../test/helpers/compose';
import { BASE_IMAGE, docker, requireDocker } from '../test/helpers/docker';
import { makeProject, removeProjects } from '../test/helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../test/helpers/runnerProcess';
import { deleteAndWait } from '../test/helpers/wait';
import { median, ms, ratio, timed } from './stats';

const N = Number(process.argv[2] ?? 3);
const LABEL = 'devrig-bench-compose';

const COMPOSE_FILE = `services:
  dev:
    image: ${BASE_IMAGE}
    command: sleep infinity
    volumes:
      - ..:/workspace
  db:
    image: ${BASE_IMAGE}
    command: ['python3', '-m', 'http.server', '--directory', '/tmp', '5432']
`;

const CONFIG = {
  name: 'bench compose',
  dockerComposeFile: 'docker-compose.yml',
  service: 'dev',
  workspaceFolder: '/workspace',
  remoteUser: 'vscode',
  postStartCommand: 'true',
};

/** A project folder for one tool; its name gives the Compose project `<folder>_devcontainer`. */
function project(): { folder: string; composeProject: string } {
  const folder = makeProject(
    CONFIG,
    { '.devcontainer/docker-compose.yml': COMPOSE_FILE },
    'devrig-bench-compose-',
  );
  // Both tools name a project in .devcontainer/ this way (lowercased, [a-z0-9_-] only).
  const composeProject = `${basename(folder)
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')}_devcontainer`;
  return { folder, composeProject };
}

/** The reference's derived images (vsc-…-uid, for updateRemoteUserUID): removed at the end. */
const derivedImages = new Set<string>();

/** Removes one Compose project this bench created (containers, network, volumes), noting its vsc-* images. */
async function downProject(composeProject: string): Promise<void> {
  const label = [`com.docker.compose.project=${composeProject}`];
  for (const c of await docker.listContainers({ all: true, filters: { label } }))
    if (c.Image.startsWith('vsc-')) derivedImages.add(c.Image);
  await composeDownProject(composeProject);
}

async function devrigUp(r: TestRunner, folder: string, name: string): Promise<void> {
  const res = await r.cli(['up', folder, '--name', name], { timeoutMs: 600_000 });
  if (res.code !== 0) throw new Error(`devrig up failed: ${res.stderr}${res.stdout}`);
}

async function devrigStop(r: TestRunner, name: string): Promise<void> {
  const res = await r.cli(['stop', name]);
  if (res.code !== 0) throw new Error(`devrig stop failed: ${res.stderr}${res.stdout}`);
}

async function devcontainerUp(folder: string, composeProject: string): Promise<void> {
  const res = await run(
    DEVCONTAINER,
    ['up', '--workspace-folder', folder, '--id-label', `${LABEL}=${composeProject}`],
    {
      timeoutMs: 600_000,
    },
  );
  const line = res.stdout.trim().split('\n').pop() ?? '';
  if (res.code !== 0) throw new Error(`devcontainer up failed (${res.code}): ${line}\n${res.stderr}`);
  const result = JSON.parse(line) as { outcome: string; composeProjectName?: string };
  // The cleanup relies on the name: a reference that named it otherwise would leave a project behind.
  if (result.composeProjectName !== composeProject)
    throw new Error(`devcontainer named the project ${result.composeProjectName}, not ${composeProject}`);
}

/** The reference CLI has no stop: its containers are stopped as Compose stops them. */
async function composeStop(composeProject: string): Promise<void> {
  const res = await run('docker', ['compose', '-p', composeProject, 'stop'], { cwd: '/' });
  if (res.code !== 0) throw new Error(`docker compose stop failed: ${res.stderr}`);
}

/** Warm means the project's two containers exist, stopped: checked for both tools before timing. */
async function requireStopped(composeProject: string): Promise<void> {
  const label = [`com.docker.compose.project=${composeProject}`];
  const states = (await docker.listContainers({ all: true, filters: { label } })).map((c) => c.State);
  if (states.length !== 2 || states.some((s) => s !== 'exited'))
    throw new Error(
      `${composeProject}: expected two stopped containers, found ${states.join(', ') || 'none'}`,
    );
}

function removeEnvironment(r: TestRunner, name: string): Promise<void> {
  return deleteAndWait(r.client, name, 120_000);
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
  const projects: string[] = [];
  try {
    for (let i = 0; i < N; i++) {
      const ours = project();
      const theirs = project();
      projects.push(ours.composeProject, theirs.composeProject);
      const name = `bench-compose-${i}`;
      // Alternating who goes first: neither tool always meets the page cache the other warmed.
      const both = async (a: () => Promise<void>, b: () => Promise<void>) => {
        if (i % 2) {
          await b();
          await a();
        } else {
          await a();
          await b();
        }
      };
      await both(
        async () => void times.devrigCold.push(await timed(() => devrigUp(r, ours.folder, name))),
        async () =>
          void times.dcCold.push(await timed(() => devcontainerUp(theirs.folder, theirs.composeProject))),
      );
      const env = await r.client.call('get', { kind: 'Environment', name });
      const named = env.kind === 'Environment' ? env.status.composeProject : undefined;
      if (named !== ours.composeProject)
        throw new Error(`devrig named the project ${named}, not ${ours.composeProject}`);
      await devrigStop(r, name);
      await composeStop(theirs.composeProject);
      await requireStopped(ours.composeProject);
      await requireStopped(theirs.composeProject);
      await both(
        async () => void times.devrigWarm.push(await timed(() => devrigUp(r, ours.folder, name))),
        async () =>
          void times.dcWarm.push(await timed(() => devcontainerUp(theirs.folder, theirs.composeProject))),
      );
      await removeEnvironment(r, name);
      await downProject(ours.composeProject);
      await downProject(theirs.composeProject);
      process.stderr.write(
        `  run ${i + 1}/${N}: cold devrig ${ms(times.devrigCold.at(-1)!)} vs ${ms(times.dcCold.at(-1)!)}; warm devrig ${ms(times.devrigWarm.at(-1)!)} vs ${ms(times.dcWarm.at(-1)!)}\n`,
      );
    }
  } finally {
    await cleanupRunner(r);
    // Anything a failed run left: only the projects this bench named.
    for (const p of projects) await downProject(p);
    for (const image of derivedImages)
      await docker
        .getImage(image)
        .remove({ force: true })
        .catch(() => {});
    removeProjects();
  }
  const dc = median(times.devrigCold);
  const cc = median(times.dcCold);
  const dw = median(times.devrigWarm);
  const cw = median(times.dcWarm);
  console.log(`bench/compose (${N} runs, interleaved, dev + db services on ${BASE_IMAGE})`);
  console.log(`  cold: devrig up ${ms(dc)}, devcontainer up ${ms(cc)}: ${ratio(dc, cc)}   (target ≤ 0.7×)`);
  console.log(`  warm: devrig up ${ms(dw)}, devcontainer up ${ms(cw)}: ${ratio(dw, cw)}   (target ≤ 0.7×)`);
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
