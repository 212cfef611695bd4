// Resource use: one stats stream per running environment, followed from Ready until it stops, its
// samples kept for the last minutes (StatsHistory). The `stats` API method sends what was kept, when
// asked, then every new sample: however many panels watch, the engine is asked once per container.

import { ApiError, STATS_WINDOW_MS, type Environment, type StatsSample } from '../api';
import type { Addon, AddonDeps } from '../addons/addon';
import type { ContainerProvider } from '../providers/provider';
import { onAbort } from '../sessions/hangUp';
import { StatsHistory } from './statsHistory';

export interface StatsAddonOptions {
  windowMs?: number;
  /** A stream that ended while the container should still run is followed again after this long. */
  retryMs?: number;
}

interface Collector {
  containerId: string;
  abort: AbortController;
  /** Streams to end when collecting stops (the environment stopped). */
  subscribers: Set<() => void>;
}

export function statsAddon(deps: AddonDeps, opts: StatsAddonOptions = {}): Addon<'stats'> {
  const history = new StatsHistory(opts.windowMs ?? STATS_WINDOW_MS);
  const retryMs = opts.retryMs ?? 5000;
  const collectors = new Map<string, Collector>();

  const stop = (name: string) => {
    const c = collectors.get(name);
    if (!c) return;
    collectors.delete(name);
    c.abort.abort();
    for (const end of [...c.subscribers]) end();
  };

  const collect = async (name: string, c: Collector, provider: ContainerProvider) => {
    while (!c.abort.signal.aborted) {
      try {
        for await (const sample of provider.stats(
          c.containerId,
          c.abort.signal,
        ) as AsyncIterable<StatsSample>)
          history.add(name, sample);
      } catch (e) {
        if (!c.abort.signal.aborted) deps.log(`stats: ${name}: ${(e as Error).message}`);
      }
      if (c.abort.signal.aborted) return;
      // Ended early (a restart, an engine hiccup): look again in a while, if it is still wanted.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, retryMs);
        timer.unref?.();
        onAbort(c.abort.signal, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };

  const ready = async (env: Environment, containerId: string) => {
    const name = env.metadata.name;
    if (collectors.get(name)?.containerId === containerId) return;
    stop(name);
    const provider = await deps.providerFor(env);
    if (!provider) return;
    const c: Collector = { containerId, abort: new AbortController(), subscribers: new Set() };
    collectors.set(name, c);
    void collect(name, c, provider);
  };

  return {
    name: 'stats',
    hooks: {
      ready: (env, containerId) => ready(env, containerId),
      beforeStop: async (env) => stop(env.metadata.name),
      stopped: async (env) => {
        stop(env.metadata.name);
        if (env.metadata.deletionTimestamp) history.forget(env.metadata.name);
      },
    },
    handlers: {
      stats: async (p, ctx, sink) => {
        const env = deps.store.mustGet('Environment', p.name);
        const c = collectors.get(p.name);
        if (!c || env.status.phase !== 'Running') {
          throw new ApiError(
            'Unavailable',
            `environment "${p.name}" is not running (phase ${env.status.phase})`,
          );
        }
        if (p.history) for (const s of history.get(p.name)) sink.event(s);
        const unlisten = history.listen(p.name, (s) => sink.event(s));
        const end = () => {
          unlisten();
          c.subscribers.delete(end);
          sink.end();
        };
        c.subscribers.add(end);
        onAbort(ctx.signal, () => {
          unlisten();
          c.subscribers.delete(end);
        });
        return {};
      },
    },
    close: () => {
      for (const name of [...collectors.keys()]) stop(name);
    },
  };
}
