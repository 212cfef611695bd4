// bench/scale.ts: one runner with many environments, as ratios against baselines measured in the same
// run (never a bare time alone):
//   (a) N environments applied at once → all Running, vs the floor: N containers of the same image
//       created and started through the raw Docker API, all asked for at once (interleaved rounds);
//   (b) kill -9 of the runner → every environment Ready again (its port forward held again), vs the
//       start of a runner with an empty state folder; and how many containers were restarted (0);
//   (c) idle: the runner's RSS and CPU, and the CPU devrig's own processes use inside each
//       environment (cgroup), against a container of the same image running only its keep-alive;
//   (d) 200 Stopped environments in the store: `devrig ls` vs `node -e 0`, and the extension's tree
//       (list, watch, model, TreeItems) vs the same for an empty list.
//   node --import tsx bench/scale.ts [--n 50] [--rounds 2] [--kills 3] [--idle 60] [--stored 200] [--parts abcd]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Environment } from '../runner/api';
import { parseListeningPorts } from '../runner/ports/portDetector';
import { BASE_IMAGE, docker, requireDocker } from '../test/helpers/docker';
import { makeProject, removeProjects } from '../test/helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../test/helpers/runnerProcess';
import { idleBench } from './scaleIdle';
import {
  floorRun,
  gone,
  inPhase,
  machineLoad,
  range,
  removeBenchContainers,
  waitAll,
  watchAll,
} from './scaleKit';
import { storeBench } from './scaleStore';
import { median, ms, ratio, timed } from './stats';

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '2' },
    kills: { type: 'string', default: '3' },
    idle: { type: 'string', default: '60' },
    stored: { type: 'string', default: '200' },
    parts: { type: 'string', default: 'abcd' },
  },
});
const N = Number(args.n);
const parts = new Set(args.parts);

/** Each environment forwards a port: after a runner restart, a held forward says it is Ready again. */
const config = { image: BASE_IMAGE, forwardPorts: [3000] };

const names = (round: number) => range(N).map((i) => `scale-${round}-${i}`);

async function applyAll(r: TestRunner, list: string[]): Promise<void> {
  await Promise.all(
    list.map((name) =>
      r.client.call('apply', {
        resource: {
          kind: 'Environment',
          metadata: { name },
          spec: { source: { folder: makeProject(config) } },
        },
      }),
    ),
  );
}

async function deleteAll(r: TestRunner, list: string[]): Promise<void> {
  const w = await watchAll(r.client, list, gone, 'deleted');
  await Promise.all(list.map((name) => r.client.call('delete', { kind: 'Environment', name })));
  await w.done.finally(() => w.cancel());
}

/** (a) Returns the environments of the last round, left running for (b) and (c). */
async function createBench(r: TestRunner): Promise<string[]> {
  const rounds = Number(args.rounds);
  const floor: number[] = [];
  const devrig: number[] = [];
  // Warm-up: image layers and page cache hot for both.
  await floorRun(2);
  await removeBenchContainers();
  let last: string[] = [];
  for (let round = 0; round < rounds; round++) {
    floor.push(await timed(() => floorRun(N)));
    await removeBenchContainers();
    last = names(round);
    const w = await watchAll(r.client, last, inPhase('Running'), 'Running');
    devrig.push(
      await timed(async () => {
        await applyAll(r, last);
        await w.done.finally(() => w.cancel());
      }),
    );
    process.stderr.write(
      `  (a) round ${round + 1}/${rounds}: floor ${ms(floor.at(-1)!)}, devrig ${ms(devrig.at(-1)!)} (${machineLoad()})\n`,
    );
    if (round < rounds - 1) await deleteAll(r, last);
  }
  const f = median(floor);
  const d = median(devrig);
  console.log(
    `(a) ${N} environments applied at once → all Running (${rounds} interleaved rounds, ${machineLoad()})`,
  );
  console.log(`    devrig / floor = ${ratio(d, f)}   (median ${ms(d)} vs ${ms(f)}; target ≤ 1.0×)`);
  console.log(`    floor: ${N} × (create + start) through the raw Docker API, all at once, same image`);
  return last;
}

/** Local ports listening on 127.0.0.1 or a wildcard in this network namespace (the runner's). */
function listeningHere(): Set<number> {
  const read = (f: string) => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return '';
    }
  };
  return new Set(parseListeningPorts(read('/proc/net/tcp') + read('/proc/net/tcp6')));
}

async function containersOf(r: TestRunner, list: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of list) {
    const env = (await r.client.call('get', { kind: 'Environment', name })) as Environment;
    const i = await docker.getContainer(env.status.containerId!).inspect();
    out.set(name, `${i.Id} ${i.State.StartedAt}`);
  }
  return out;
}

/**
 * Until every environment's forward of port 3000 is held again (its local port listening here), by
 * what the new runner reports. Usually the same local port as before; another one when something
 * else took it meanwhile (a shared machine), counted in `moved`.
 */
async function forwardsHeld(r: TestRunner, list: string[], before: Map<string, number>): Promise<void> {
  const deadline = Date.now() + 300_000;
  const want = new Set(list);
  for (;;) {
    const { items } = await r.client.call('list', { kind: 'Environment' });
    const live = listeningHere();
    const held = (items as Environment[]).filter((e) => {
      const port = e.status.ports?.find((p) => p.port === 3000)?.localPort;
      return want.has(e.metadata.name) && port !== undefined && live.has(port);
    });
    if (held.length === want.size) {
      for (const e of held) {
        if (e.status.ports.find((p) => p.port === 3000)?.localPort !== before.get(e.metadata.name)) moved++;
      }
      return;
    }
    if (Date.now() > deadline)
      throw new Error(`only ${held.length} of ${want.size} forwards held again after 300 s`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

let moved = 0;

/** (b) kill -9, start again, until every environment's forward is held again. */
async function restartBench(r: TestRunner, list: string[]): Promise<void> {
  const kills = Number(args.kills);
  const before = await containersOf(r, list);
  const forwards = new Map<string, number>();
  for (const name of list) {
    const env = (await r.client.call('get', { kind: 'Environment', name })) as Environment;
    const port = env.status.ports.find((p) => p.port === 3000)?.localPort;
    if (!port) throw new Error(`${name} has no forward for port 3000: ${JSON.stringify(env.status.ports)}`);
    forwards.set(name, port);
  }
  const back: number[] = [];
  const empty: number[] = [];
  for (let k = 0; k < kills; k++) {
    // The baseline: a runner starting on an empty state folder, until it answers.
    empty.push(
      await timed(async () => {
        const e = await startRunner();
        await cleanupRunner(e);
      }),
    );
    await r.kill('SIGKILL');
    back.push(
      await timed(async () => {
        await r.restart();
        await forwardsHeld(r, list, forwards);
      }),
    );
    process.stderr.write(
      `  (b) kill ${k + 1}/${kills}: all Ready again after ${ms(back.at(-1)!)}; empty runner start ${ms(empty.at(-1)!)}\n`,
    );
  }
  await waitAll(r.client, list, inPhase('Running'), 'Running');
  const after = await containersOf(r, list);
  const restarted = list.filter((n) => before.get(n) !== after.get(n)).length;
  const b = median(back);
  const e = median(empty);
  console.log(
    `(b) kill -9 of the runner with ${N} environments → all Ready again (${kills} kills, ${machineLoad()})`,
  );
  console.log(
    `    restart / empty runner start = ${ratio(b, e)}   (median ${ms(b)} vs ${ms(e)}; target < 3 s)`,
  );
  console.log(`    containers restarted or recreated: ${restarted} of ${N}   (target 0)`);
  console.log(
    `    forwards on another local port after a restart (taken meanwhile): ${moved} of ${N * kills}`,
  );
  console.log("    Ready again: runner answering and every environment's port forward held again");
}

async function main(): Promise<void> {
  await requireDocker();
  console.log(`bench/scale: N=${N}, image ${BASE_IMAGE}, ${machineLoad()}`);
  const r = await startRunner();
  try {
    let list: string[] = [];
    if (parts.has('a') || parts.has('b') || parts.has('c')) list = await createBench(r);
    if (parts.has('b')) await restartBench(r, list);
    if (parts.has('c')) await idleBench(r, list, Number(args.idle));
  } finally {
    await cleanupRunner(r);
    await removeBenchContainers();
    removeProjects();
  }
  if (parts.has('d')) await storeBench(Number(args.stored));
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
