// Docker stats samples → the chart's series over the last minutes, with gaps where no samples came
// (the environment was stopped), and the current readings. Pure.

import { STATS_WINDOW_MS, type StatsSample } from '../../runner/api';
import { formatBytes } from './time';

/** Samples further apart than this are drawn with a gap between them. */
export const STATS_GAP_MS = 5_000;

/** Keeps the samples of the last `windowMs` before the newest one, oldest first. */
export function trimSamples(samples: readonly StatsSample[], windowMs = STATS_WINDOW_MS): StatsSample[] {
  const last = samples[samples.length - 1];
  if (!last) return [];
  const from = Date.parse(last.time) - windowMs;
  return samples.filter((s) => Date.parse(s.time) >= from);
}

export interface StatsSeries {
  /** Seconds since the epoch (uPlot's time scale). */
  x: number[];
  cpu: (number | null)[];
  /** MiB. */
  memory: (number | null)[];
  /** MiB; the largest limit seen, 0 when none. */
  memoryLimit: number;
  /** Real samples in the window (gap markers not counted). */
  count: number;
}

const MiB = 1024 * 1024;

export function statsSeries(samples: readonly StatsSample[], gapMs = STATS_GAP_MS): StatsSeries {
  const series: StatsSeries = { x: [], cpu: [], memory: [], memoryLimit: 0, count: 0 };
  let prev: number | undefined;
  for (const s of samples) {
    const t = Date.parse(s.time);
    if (Number.isNaN(t) || (prev !== undefined && t <= prev)) continue;
    if (prev !== undefined && t - prev > gapMs) {
      // A null point just after the previous sample breaks the line instead of bridging the gap.
      series.x.push((prev + 1) / 1000);
      series.cpu.push(null);
      series.memory.push(null);
    }
    series.x.push(t / 1000);
    series.cpu.push(s.cpuPercent);
    series.memory.push(s.memoryBytes / MiB);
    series.memoryLimit = Math.max(series.memoryLimit, s.memoryLimitBytes / MiB);
    series.count++;
    prev = t;
  }
  return series;
}

export interface StatsReadout {
  cpu: string;
  memory: string;
  pids: string;
}

export function statsReadout(last: StatsSample | undefined): StatsReadout {
  if (!last) return { cpu: '–', memory: '–', pids: '–' };
  const limit = last.memoryLimitBytes > 0 ? ` / ${formatBytes(last.memoryLimitBytes)}` : '';
  return {
    cpu: `${last.cpuPercent.toFixed(1)} %`,
    memory: `${formatBytes(last.memoryBytes)}${limit}`,
    pids: last.pids === undefined ? '–' : String(last.pids),
  };
}
