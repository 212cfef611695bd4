import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EnvironmentStatus, type Environment, type StatsSample } from '../../../../runner/api';
import type { AddonDeps } from '../../../../runner/addons/addon';
import type { ContainerProvider } from '../../../../runner/providers/provider';
import type { CallContext, StreamSink } from '../../../../runner/server/handlers';
import type { ResourceStore } from '../../../../runner/store/resourceStore';
import { statsAddon } from '../../../../runner/stats/statsAddon';

const env = (phase: EnvironmentStatus['phase'] = 'Running'): Environment => ({
  kind: 'Environment',
  metadata: {
    name: 'e',
    uid: 'u',
    generation: 1,
    resourceVersion: '1',
    creationTimestamp: '2024-05-01T12:00:00Z',
    finalizers: [],
    labels: {},
  },
  spec: { source: { folder: '/src' }, state: 'Running' },
  status: EnvironmentStatus.parse({ phase, containerId: 'c1' }),
});

const sample = (s: number): StatsSample => ({
  time: new Date(Date.UTC(2024, 4, 1, 12, 0, s)).toISOString(),
  cpuPercent: s,
  memoryBytes: 1,
  memoryLimitBytes: 2,
});

/** A provider whose stats stream yields what the test pushes, and counts the streams opened. */
function pushProvider() {
  let push: ((s: StatsSample) => void) | undefined;
  let opened = 0;
  const provider = {
    async *stats(_id: string, signal: AbortSignal): AsyncIterable<StatsSample> {
      opened++;
      const queue: StatsSample[] = [];
      let wake: (() => void) | undefined;
      push = (s) => {
        queue.push(s);
        wake?.();
      };
      while (!signal.aborted) {
        if (queue.length) yield queue.shift()!;
        else
          await new Promise<void>((r) => {
            wake = r;
            signal.addEventListener('abort', () => r(), { once: true });
          });
      }
    },
  } as unknown as ContainerProvider;
  return { provider, push: (s: StatsSample) => push?.(s), opened: () => opened };
}

function sinkRecorder() {
  const events: number[] = [];
  let ended = false;
  const sink: StreamSink<StatsSample> = {
    event: (e) => events.push(e.cpuPercent),
    end: () => (ended = true),
    drained: () => undefined,
    attach: () => {},
  };
  return { sink, events, ended: () => ended };
}

const tick = () => new Promise((r) => setImmediate(r));

test('one stream per running container from Ready; a late subscriber gets the kept samples, then live ones', async () => {
  let current = env();
  const p = pushProvider();
  const addon = statsAddon({
    store: { mustGet: () => current } as unknown as ResourceStore,
    providerFor: async () => p.provider,
    log: () => {},
  } as unknown as AddonDeps);
  await addon.hooks.ready!(current, 'c1', {} as never, current.status);
  await addon.hooks.ready!(current, 'c1', {} as never, current.status);
  await tick();
  p.push(sample(1));
  p.push(sample(2));
  await tick();
  const ctx = { id: 1, connection: {} as never, signal: new AbortController().signal } as CallContext;
  const late = sinkRecorder();
  await addon.handlers.stats({ name: 'e', history: true }, ctx, late.sink);
  const live = sinkRecorder();
  await addon.handlers.stats({ name: 'e' }, ctx, live.sink);
  p.push(sample(3));
  await tick();
  assert.deepEqual(late.events, [1, 2, 3]);
  assert.deepEqual(live.events, [3]);
  assert.equal(p.opened(), 1, 'Ready twice for the same container: one stream');
  // Stopping ends the subscribers' streams; a stopped environment has no live stats.
  current = env('Stopped');
  await addon.hooks.stopped!(current);
  assert.equal(late.ended(), true);
  await assert.rejects(addon.handlers.stats({ name: 'e' }, ctx, sinkRecorder().sink), /not running/);
  await addon.close?.();
});
