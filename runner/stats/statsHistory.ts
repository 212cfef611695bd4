// Recent resource-use samples per environment, kept by the runner so a panel opened now shows the last
// minutes, not only what arrives after it opened. Samples older than the window (measured from the
// newest) are dropped; a sample not newer than the last one kept is ignored. Pure (no I/O, no timers).

import type { StatsSample } from '../api';

export type SampleListener = (sample: StatsSample) => void;

export class StatsHistory {
  private readonly samples = new Map<string, StatsSample[]>();
  private readonly listeners = new Map<string, Set<SampleListener>>();

  constructor(readonly windowMs: number) {}

  /** Keeps `sample` of environment `name` and tells its listeners; false when it was not kept. */
  add(name: string, sample: StatsSample): boolean {
    const t = Date.parse(sample.time);
    // Docker reports year 1 for a container that just stopped.
    if (!(t > 0)) return false;
    const list = this.samples.get(name) ?? [];
    const last = list[list.length - 1];
    if (last && Date.parse(last.time) >= t) return false;
    list.push(sample);
    const from = t - this.windowMs;
    let drop = 0;
    while (drop < list.length && Date.parse(list[drop]!.time) < from) drop++;
    if (drop) list.splice(0, drop);
    this.samples.set(name, list);
    for (const l of this.listeners.get(name) ?? []) l(sample);
    return true;
  }

  /** The kept samples of `name`, oldest first. */
  get(name: string): StatsSample[] {
    return [...(this.samples.get(name) ?? [])];
  }

  /** Calls `listener` with every sample kept from now on; returns the unsubscribe. */
  listen(name: string, listener: SampleListener): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(name) === set) this.listeners.delete(name);
    };
  }

  /** The environment is gone: its samples go too. */
  forget(name: string): void {
    this.samples.delete(name);
  }
}
