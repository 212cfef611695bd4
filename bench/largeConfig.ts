// bench/largeConfig.ts: how long the runner takes to answer a hostile 5 MB devcontainer.json with
// 200k unknown keys (admission + the config step, up to ConfigSupported) against a small config
// answered the same way, interleaved in one run so machine noise hits both alike, and how long
// a `list` takes meanwhile (the API must not freeze). The target (issue 18): answered within 2 s.
//   node --import tsx bench/largeConfig.ts [iterations]
import { performance } from 'node:perf_hooks';
import type { RunnerClient } from '../runner/client/runnerClient';
import { BASE_IMAGE, requireDocker } from '../test/helpers/docker';
import { makeProject, removeProjects } from '../test/helpers/project';
import { cleanupRunner, startRunner } from '../test/helpers/runnerProcess';
import { waitForDeleted, watchUntil } from '../test/helpers/wait';
import { median, ms, ratio } from './stats';

const N = Number(process.argv[2] ?? 5);
const KEYS = 200_000;

function hugeConfig(): string {
  const lines = ['{', `  "image": "${BASE_IMAGE}",`];
  for (let i = 0; i < KEYS; i++) lines.push(`  "unknownProp${String(i).padStart(6, '0')}": ${i},`);
  lines.push('  "name": "huge"', '}');
  return lines.join('\n');
}

/** Apply (Stopped: only the config is read) → ConfigSupported reported; the slowest list meanwhile. */
async function answer(client: RunnerClient, name: string, folder: string): Promise<[number, number]> {
  let probing = true;
  let slowest = 0;
  const prober = (async () => {
    while (probing) {
      const t = performance.now();
      await client.call('list', { kind: 'Environment' });
      slowest = Math.max(slowest, performance.now() - t);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  const start = performance.now();
  const answered = watchUntil(
    client,
    name,
    (e) => e.status.conditions.some((c) => c.type === 'ConfigSupported'),
    'to report on its properties',
    120_000,
  );
  await client.call('apply', {
    resource: { kind: 'Environment', metadata: { name }, spec: { source: { folder }, state: 'Stopped' } },
  });
  await answered;
  const elapsed = performance.now() - start;
  probing = false;
  await prober;
  const gone = waitForDeleted(client, name);
  await client.call('delete', { kind: 'Environment', name });
  await gone;
  return [elapsed, slowest];
}

async function main(): Promise<void> {
  await requireDocker();
  const r = await startRunner();
  const huge = makeProject(hugeConfig());
  const small = makeProject({ image: BASE_IMAGE, name: 'small' });
  const times = { huge: [] as number[], small: [] as number[], lists: [] as number[] };
  try {
    for (let i = 0; i < N; i++) {
      const [s] = await answer(r.client, `small-${i}`, small);
      times.small.push(s);
      const [h, slowest] = await answer(r.client, `huge-${i}`, huge);
      times.huge.push(h);
      times.lists.push(slowest);
    }
  } finally {
    await cleanupRunner(r);
    removeProjects();
  }
  const h = median(times.huge);
  const s = median(times.small);
  console.log(
    `5 MB / 200k keys answered: ${ms(h)} (target < 2000 ms) vs a small config ${ms(s)}: ${ratio(h, s)}`,
  );
  console.log(`slowest list meanwhile (median of ${N}): ${ms(median(times.lists))}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
