// bench/scale.ts part (c): what idle environments cost. The runner's RSS and CPU (from /proc), and the
// CPU used inside each environment's container (its cgroup, through the engine's stats) against a
// container of the same image that runs only the keep-alive: the difference is devrig's own
// processes in there (ports watcher, anything else it leaves running).
import type { Environment } from '../runner/api';
import { docker } from '../test/helpers/docker';
import type { TestRunner } from '../test/helpers/runnerProcess';
import {
  containerCpuNs,
  keepAliveContainer,
  machineLoad,
  mb,
  pct,
  processCpuMs,
  processRssBytes,
} from './scaleKit';
import { median } from './stats';

export async function idleBench(r: TestRunner, list: string[], seconds: number): Promise<void> {
  const ids: string[] = [];
  for (const name of list) {
    const env = (await r.client.call('get', { kind: 'Environment', name })) as Environment;
    ids.push(env.status.containerId!);
  }
  const ref = await docker.createContainer(keepAliveContainer('scale-idle-reference'));
  await ref.start();
  // Settle: the restarts of (b) and the reference's start are over before the window opens.
  await new Promise((res) => setTimeout(res, 10_000));
  // The connection the bench holds stays quiet: no watch, no calls during the window.
  const cpu0 = await Promise.all(ids.map(containerCpuNs));
  const ref0 = await containerCpuNs(ref.id);
  const runner0 = processCpuMs(r.pid);
  const t0 = process.hrtime.bigint();
  const rss: number[] = [];
  const load0 = machineLoad();
  const end = Date.now() + seconds * 1000;
  while (Date.now() < end) {
    rss.push(processRssBytes(r.pid));
    await new Promise((res) => setTimeout(res, Math.min(5000, Math.max(0, end - Date.now()))));
  }
  const windowNs = Number(process.hrtime.bigint() - t0);
  const runnerMs = processCpuMs(r.pid) - runner0;
  const cpu1 = await Promise.all(ids.map(containerCpuNs));
  const ref1 = await containerCpuNs(ref.id);
  rss.push(processRssBytes(r.pid));
  await ref.remove({ force: true });

  const share = (ns: number) => (ns / windowNs) * 100;
  const perEnv = ids.map((_, i) => share(cpu1[i]! - cpu0[i]!));
  const reference = share(ref1 - ref0);
  const devrigInside = perEnv.map((p) => p - reference);
  const mean = devrigInside.reduce((a, b) => a + b, 0) / devrigInside.length;
  console.log(
    `(c) ${list.length} idle environments over ${seconds} s (${load0} at the start, ${machineLoad()} at the end)`,
  );
  console.log(
    `    runner: RSS ${mb(rss.at(-1)!)} (max ${mb(Math.max(...rss))}; target < 150 MB), CPU ${pct(share(runnerMs * 1e6))} of a core (target < 1%)`,
  );
  console.log(
    `    inside each environment, beyond the keep-alive: mean ${pct(mean, 3)} of a core, median ${pct(median(devrigInside), 3)}, max ${pct(Math.max(...devrigInside), 3)} (target ≤ 0.05%)`,
  );
  console.log(
    `    (environments' containers: mean ${pct(perEnv.reduce((a, b) => a + b, 0) / perEnv.length, 3)} of a core each; the keep-alive-only reference ${pct(reference, 3)}; all ${list.length}: ${pct(
      perEnv.reduce((a, b) => a + b, 0),
      2,
    )} of a core)`,
  );
}
