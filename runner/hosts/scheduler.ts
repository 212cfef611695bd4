/**
 * Placement: which host an environment runs on, and why, in words for its `Scheduled` condition.
 * Pure and deterministic: the same hosts and environments always give the same answer.
 *
 * - An environment that has a host keeps it (its containers and workspace are there); only
 *   deleting it moves it.
 * - `spec.host` names one host; `hostSelector` picks among hosts carrying all those labels;
 *   neither means the local engine.
 * - A candidate must be usable (key trusted, connected) and have room: fewer environments than
 *   `capacity.maxEnvironments`, and the explicit cpu/memory requests of those placed plus this one
 *   within `capacity.cpus`/`capacity.memory`.
 * - Among candidates: the one with the largest free share of its environment slots, then the
 *   fewest environments, then the name.
 */
import { LOCAL_HOST } from '../api';

export interface HostView {
  name: string;
  labels: Record<string, string>;
  /** Usable now: key trusted and connected; otherwise `notReady` says why. */
  ready: boolean;
  notReady?: string;
  deleting: boolean;
  capacity?: { maxEnvironments?: number; cpus?: number; memoryBytes?: number };
}

export interface EnvironmentView {
  name: string;
  host?: string;
  hostSelector?: Record<string, string>;
  /** Where it is placed already (status.host, or a placement made but not yet written). */
  placedOn?: string;
  cpus?: number;
  memoryBytes?: number;
}

export type Placement =
  | { scheduled: true; host: string; reason: 'Scheduled'; message: string }
  | { scheduled: false; reason: 'Unschedulable'; message: string };

interface Load {
  count: number;
  cpus: number;
  memoryBytes: number;
}

/** What environments take of a host: how many, their CPUs and memory (what they do not set counts 0). */
export function sumLoad(envs: readonly { cpus?: number; memoryBytes?: number }[]): Load {
  return {
    count: envs.length,
    cpus: envs.reduce((a, e) => a + (e.cpus ?? 0), 0),
    memoryBytes: envs.reduce((a, e) => a + (e.memoryBytes ?? 0), 0),
  };
}

export function schedule(
  env: EnvironmentView,
  hosts: readonly HostView[],
  others: readonly EnvironmentView[],
): Placement {
  const byName = new Map(hosts.map((h) => [h.name, h]));
  if (env.placedOn) {
    if (env.placedOn === LOCAL_HOST || byName.has(env.placedOn)) {
      const moved = env.host && env.host !== env.placedOn ? env.host : undefined;
      const note = moved
        ? ` (spec.host now names ${moved}: environments do not move; delete and re-create it to move it)`
        : '';
      return {
        scheduled: true,
        host: env.placedOn,
        reason: 'Scheduled',
        message: `placed on host ${env.placedOn}${note}`,
      };
    }
  }
  if (env.host === LOCAL_HOST || (!env.host && !env.hostSelector)) {
    return {
      scheduled: true,
      host: LOCAL_HOST,
      reason: 'Scheduled',
      message: env.host
        ? `placed on host ${LOCAL_HOST} because spec.host names it`
        : `placed on host ${LOCAL_HOST} (the default: no host or hostSelector given)`,
    };
  }
  const load = loads(others.filter((o) => o.name !== env.name));
  if (env.host) {
    const h = byName.get(env.host);
    if (!h)
      return unschedulable(`host ${env.host} does not exist (add it with: devrig host add ${env.host} ...)`);
    const why = unfit(h, env, load.get(h.name));
    if (why) return unschedulable(`host ${h.name} ${why}`);
    return {
      scheduled: true,
      host: h.name,
      reason: 'Scheduled',
      message: `placed on host ${h.name} because spec.host names it`,
    };
  }
  const selector = env.hostSelector!;
  const wanted = Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const rejected: string[] = [];
  const fit: { host: HostView; free: number; count: number }[] = [];
  for (const h of [...hosts].sort((a, b) => a.name.localeCompare(b.name))) {
    if (!Object.entries(selector).every(([k, v]) => h.labels[k] === v)) continue;
    const why = unfit(h, env, load.get(h.name));
    if (why) {
      rejected.push(`${h.name} ${why}`);
      continue;
    }
    const l = load.get(h.name) ?? { count: 0, cpus: 0, memoryBytes: 0 };
    const max = h.capacity?.maxEnvironments;
    fit.push({ host: h, free: max ? (max - l.count) / max : 1, count: l.count });
  }
  if (fit.length === 0) {
    if (rejected.length === 0) return unschedulable(`no host has the labels ${wanted}`);
    return unschedulable(`no reachable host with capacity matches ${wanted}: ${rejected.join('; ')}`);
  }
  fit.sort((a, b) => b.free - a.free || a.count - b.count || a.host.name.localeCompare(b.host.name));
  const best = fit[0]!;
  const room = best.host.capacity?.maxEnvironments
    ? `${best.host.capacity.maxEnvironments - best.count} of ${best.host.capacity.maxEnvironments} slots free`
    : `${best.count} environment${best.count === 1 ? '' : 's'}, no limit`;
  const also =
    fit.length > 1
      ? `; also fit: ${fit
          .slice(1)
          .map((f) => f.host.name)
          .join(', ')}`
      : '';
  const skipped = rejected.length ? `; skipped: ${rejected.join('; ')}` : '';
  return {
    scheduled: true,
    host: best.host.name,
    reason: 'Scheduled',
    message: `placed on host ${best.host.name} because it matches ${wanted} and has the most room (${room})${also}${skipped}`,
  };
}

function unschedulable(why: string): Placement {
  return { scheduled: false, reason: 'Unschedulable', message: `${why}; waiting and retrying` };
}

function loads(envs: readonly EnvironmentView[]): Map<string, Load> {
  const byHost = new Map<string, EnvironmentView[]>();
  for (const e of envs) {
    if (e.placedOn) byHost.set(e.placedOn, [...(byHost.get(e.placedOn) ?? []), e]);
  }
  return new Map([...byHost].map(([host, placed]) => [host, sumLoad(placed)]));
}

/** Why `h` cannot take `env` now; undefined when it can. */
function unfit(h: HostView, env: EnvironmentView, load: Load | undefined): string | undefined {
  if (h.deleting) return 'is being removed';
  if (!h.ready) return `is not ready (${h.notReady ?? 'not connected'})`;
  const l = load ?? { count: 0, cpus: 0, memoryBytes: 0 };
  const c = h.capacity;
  if (c?.maxEnvironments !== undefined && l.count >= c.maxEnvironments) {
    return `is full (${l.count}/${c.maxEnvironments} environments)`;
  }
  if (c?.cpus !== undefined && l.cpus + (env.cpus ?? 0) > c.cpus) {
    return `has not enough CPUs (${c.cpus - l.cpus} free, ${env.cpus ?? 0} asked)`;
  }
  if (c?.memoryBytes !== undefined && l.memoryBytes + (env.memoryBytes ?? 0) > c.memoryBytes) {
    return `has not enough memory (${gib(c.memoryBytes - l.memoryBytes)} free, ${gib(env.memoryBytes ?? 0)} asked)`;
  }
  return undefined;
}

const gib = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GiB`;
