import type { StatsSample } from '../../api';

interface DockerStats {
  read: string;
  cpu_stats?: {
    cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
    system_cpu_usage?: number;
    online_cpus?: number;
  };
  precpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  pids_stats?: { current?: number };
}

/** One Docker stats frame → a sample, computed the way `docker stats` does. */
export function statsSample(s: DockerStats): StatsSample {
  const cpu = s.cpu_stats?.cpu_usage?.total_usage ?? 0;
  const preCpu = s.precpu_stats?.cpu_usage?.total_usage ?? 0;
  const sys = s.cpu_stats?.system_cpu_usage ?? 0;
  const preSys = s.precpu_stats?.system_cpu_usage ?? 0;
  const cpus = s.cpu_stats?.online_cpus ?? s.cpu_stats?.cpu_usage?.percpu_usage?.length ?? 1;
  const cpuDelta = cpu - preCpu;
  const sysDelta = sys - preSys;
  const cpuPercent = cpuDelta > 0 && sysDelta > 0 ? (cpuDelta / sysDelta) * cpus * 100 : 0;
  // Page cache is reclaimable; `docker stats` subtracts it too.
  const cache = s.memory_stats?.stats?.inactive_file ?? s.memory_stats?.stats?.total_inactive_file ?? 0;
  return {
    time: s.read,
    cpuPercent: Math.round(cpuPercent * 100) / 100,
    memoryBytes: Math.max(0, (s.memory_stats?.usage ?? 0) - cache),
    memoryLimitBytes: s.memory_stats?.limit ?? 0,
    pids: s.pids_stats?.current,
  };
}
