// Helpers for bench/scale.ts: the floor (raw Docker API), waits over one watch stream, and what
// /proc and the engine say about a process's or a container's CPU and memory.
import { readFileSync } from 'node:fs';
import type { Environment, EnvironmentPhase } from '../runner/api';
import type { RunnerClient } from '../runner/client/runnerClient';
import { KEEPALIVE_SCRIPT } from '../runner/reconcile/environment/containerSpec';
import { BASE_IMAGE, docker } from '../test/helpers/docker';

export const FLOOR_LABEL = 'devrig-bench';

export const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Raw create options the floor and the keep-alive reference use: the image, its keep-alive, a label. */
export function keepAliveContainer(role: string) {
  return {
    Image: BASE_IMAGE,
    Entrypoint: ['/bin/sh'],
    Cmd: ['-c', KEEPALIVE_SCRIPT],
    Labels: { [FLOOR_LABEL]: role },
  };
}

/** N containers created and started through the raw Docker API, all asked for at once. */
export async function floorRun(n: number): Promise<void> {
  await Promise.all(
    range(n).map(async () => {
      const c = await docker.createContainer(keepAliveContainer('scale-floor'));
      await c.start();
    }),
  );
}

export async function removeBenchContainers(role?: string): Promise<void> {
  const label = [role ? `${FLOOR_LABEL}=${role}` : FLOOR_LABEL];
  const list = await docker.listContainers({ all: true, filters: { label } });
  await Promise.all(
    list.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => {}),
    ),
  );
}

/** A watch over many environments at once (N watch streams would measure the watches too). */
export interface Waiter {
  /** Resolves once every named environment matched (a DELETED event counts as `undefined`). */
  done: Promise<void>;
  cancel(): Promise<void>;
}

/** Starts watching (resolves once the watch is open): then do what the environments should follow. */
export async function watchAll(
  client: RunnerClient,
  names: string[],
  pred: (e: Environment | undefined) => boolean,
  what: string,
  timeoutMs = 600_000,
): Promise<Waiter> {
  const want = new Set(names);
  const seen = new Map<string, Environment>();
  let resolveDone!: () => void;
  let rejectDone!: (e: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  const handle = await client.stream('watch', { kind: 'Environment' }, (e) => {
    const name = e.object.metadata.name;
    if (e.object.kind !== 'Environment' || !want.has(name)) return;
    const env = e.type === 'DELETED' ? undefined : e.object;
    if (env) seen.set(name, env);
    if (pred(env)) want.delete(name);
    if (want.size === 0) resolveDone();
  });
  if (names.length === 0) resolveDone();
  const timer = setTimeout(() => {
    const left = [...want].slice(0, 5).map((n) => {
      const e = seen.get(n);
      const c = e?.status.conditions.find((x) => x.type === 'Ready');
      return `${n}: ${e?.status.phase ?? 'unseen'}${c ? ` ${c.reason}: ${c.message}` : ''}`;
    });
    rejectDone(new Error(`timed out: ${want.size} environments not ${what}: ${left.join('; ')}`));
  }, timeoutMs);
  void done.then(
    () => clearTimeout(timer),
    () => {},
  );
  return {
    done,
    cancel: async () => {
      clearTimeout(timer);
      await handle.cancel().catch(() => {});
    },
  };
}

/** Waits (one watch) until every named environment matches. */
export async function waitAll(
  client: RunnerClient,
  names: string[],
  pred: (e: Environment | undefined) => boolean,
  what: string,
  timeoutMs?: number,
): Promise<void> {
  const w = await watchAll(client, names, pred, what, timeoutMs);
  try {
    await w.done;
  } finally {
    await w.cancel();
  }
}

export const inPhase = (phase: EnvironmentPhase) => (e: Environment | undefined) =>
  !!e && e.status.phase === phase && e.status.observedGeneration >= e.metadata.generation;

export const gone = (e: Environment | undefined) => e === undefined;

/** CPU time (user + system) a process used so far, in ms (/proc/PID/stat, clock ticks of 10 ms). */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command (which may hold spaces), from field 3 on.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resident memory of a process, in bytes. */
export function processRssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/**
 * A container's CPU usage so far (its cgroup's, in ns) through the engine's stats (one-shot): the
 * same for cgroup v1 and v2, a local engine or one behind DOCKER_HOST.
 */
export async function containerCpuNs(id: string): Promise<number> {
  const s = (await docker
    .getContainer(id)
    .stats({ stream: false, 'one-shot': true } as never)) as unknown as {
    cpu_stats: { cpu_usage: { total_usage: number } };
  };
  return s.cpu_stats.cpu_usage.total_usage;
}

export const pct = (n: number, digits = 2) => `${n.toFixed(digits)}%`;
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

/** The machine's load average (1 min) and core count, printed with every figure. */
export function machineLoad(): string {
  const [one, five] = readFileSync('/proc/loadavg', 'utf8').split(' ');
  return `load ${one} (5 min ${five})`;
}
