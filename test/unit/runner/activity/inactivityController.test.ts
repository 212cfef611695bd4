import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, EnvironmentStatus, type Environment } from '../../../../runner/api';
import { InactivityController } from '../../../../runner/activity/inactivityController';
import { recordParts, type RecordedPart as StatusPart } from '../../../helpers/statusParts';
import type { EnvLogs } from '../../../../runner/logs/envLogs';
import type { ResourceStore } from '../../../../runner/store/resourceStore';
import { MAX_STEP_MS } from '../../../../runner/util/longTimeout';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');

function environment(timeout: string | undefined, status: Partial<EnvironmentStatus> = {}): Environment {
  return {
    kind: 'Environment',
    metadata: {
      name: 'e',
      uid: 'u',
      generation: 1,
      resourceVersion: '7',
      creationTimestamp: new Date(T0).toISOString(),
      finalizers: [],
      labels: {},
    },
    spec: {
      source: { folder: '/src' },
      state: 'Running',
      ...(timeout ? { timeouts: { inactivity: timeout } } : {}),
    },
    status: EnvironmentStatus.parse({ phase: 'Running', ...status }),
  };
}

/** A controller on a fake clock, with what it publishes and applies recorded. */
function harness(env: Environment, opts: { conflicts?: number } = {}) {
  let now = T0;
  let conflicts = opts.conflicts ?? 0;
  const { parts, sink } = recordParts<'activity'>();
  const applied: unknown[] = [];
  const store = {
    get: () => env,
    apply: async (r: unknown) => {
      if (conflicts-- > 0) throw new ApiError('Conflict', 'changed');
      applied.push(r);
      return env;
    },
  } as unknown as ResourceStore;
  const logs = { writer: () => () => {} } as unknown as EnvLogs;
  const c = new InactivityController({ store, status: sink, logs, log: () => {}, now: () => now });
  const advance = async (ms: number) => {
    now += ms;
    mock.timers.tick(ms);
    // Let the stop's store write settle.
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  const last = <K extends keyof StatusPart>(k: K) => parts.filter((p) => p[k] !== undefined).at(-1)?.[k];
  return { c, parts, applied, advance, last };
}

test('inactivity: activity moves the deadline; an idle environment is stopped through its spec', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const env = environment('30s');
    const h = harness(env);
    h.c.ready(env, { ...env.status, startedAt: 'start-1' });
    assert.equal(h.last('idleStopAt'), new Date(T0 + 30_000).toISOString());
    assert.equal(h.last('conditions')?.Active?.status, 'True');
    await h.advance(20_000);
    h.c.activity('e');
    assert.equal(h.last('idleStopAt'), new Date(T0 + 50_000).toISOString());
    await h.advance(29_000);
    assert.equal(h.applied.length, 0, 'not yet');
    await h.advance(1_100);
    assert.equal(h.applied.length, 1);
    const applied = h.applied[0] as { spec: { state: string }; metadata: { resourceVersion: string } };
    assert.equal(applied.spec.state, 'Stopped');
    assert.equal(applied.metadata.resourceVersion, '7', 'a write that loses to a concurrent change');
    const why = h.last('conditions')?.Active;
    assert.deepEqual([why?.status, why?.reason], ['False', 'IdleStopped']);
    assert.match(
      why?.message ?? '',
      /^stopped after 30s without activity \(last activity 2030-01-01T00:00:20\.000Z\)$/,
    );
    assert.equal(h.last('idleStopAt'), null);
    // The stop hook keeps the reason.
    h.c.stopped(env);
    assert.equal(h.parts.at(-1)?.conditions, undefined);
  } finally {
    mock.timers.reset();
  }
});

test('inactivity: a conflicting write is retried with what is stored now', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const env = environment('10s');
    const h = harness(env, { conflicts: 1 });
    h.c.ready(env, { ...env.status, startedAt: 'start-1' });
    await h.advance(10_100);
    assert.equal(h.applied.length, 0);
    await h.advance(300);
    assert.equal(h.applied.length, 1);
  } finally {
    mock.timers.reset();
  }
});

test('inactivity: after a runner restart the recorded activity counts, with a minute of grace', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const lastActivity = new Date(T0 - 10 * 60_000).toISOString();
    const env = environment('5m', { startedAt: 'start-1', lastActivity });
    const h = harness(env);
    h.c.ready(env, { ...env.status });
    assert.equal(h.last('idleStopAt'), new Date(T0 + 60_000).toISOString());
    await h.advance(60_100);
    assert.equal(h.applied.length, 1);
  } finally {
    mock.timers.reset();
  }
});

test('inactivity: without a timeout nothing is stopped; the Active condition goes', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const env = environment(undefined);
    const h = harness(env);
    h.c.ready(env, { ...env.status, startedAt: 'start-1' });
    assert.equal(h.last('idleStopAt'), null);
    assert.equal(h.last('conditions')?.Active, null);
    await h.advance(24 * 3_600_000);
    assert.equal(h.applied.length, 0);
  } finally {
    mock.timers.reset();
  }
});

test('inactivity: a timeout longer than setTimeout takes (24.8 days) waits instead of spinning', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  const mocked = globalThis.setTimeout;
  let armed = 0;
  const delays: number[] = [];
  // As Node does: a delay above 2^31-1 ms fires after 1 ms.
  globalThis.setTimeout = ((fn: () => void, ms?: number) => {
    armed++;
    delays.push(ms ?? 0);
    return mocked(fn, ms !== undefined && ms > 2 ** 31 - 1 ? 1 : ms);
  }) as typeof setTimeout;
  try {
    const env = environment('1000h');
    const h = harness(env);
    h.c.ready(env, { ...env.status, startedAt: 'start-1' });
    assert.equal(h.last('idleStopAt'), new Date(T0 + 1000 * 3_600_000).toISOString());
    for (let i = 0; i < 10; i++) await h.advance(1);
    assert.equal(armed, 1, 'no timer fires (and is armed again) every millisecond');
    // Mock timers re-armed inside a tick count from its end: tick to each step's end.
    await h.advance(MAX_STEP_MS - 10);
    await h.advance(MAX_STEP_MS);
    await h.advance(MAX_STEP_MS);
    await h.advance(1000 * 3_600_000 - 3 * MAX_STEP_MS - 2000);
    assert.equal(h.applied.length, 0, 'not before the deadline');
    assert.ok(armed <= 5, `armed ${armed} timers in 1000h`);
    assert.ok(
      delays.every((d) => d <= 2 ** 31 - 1),
      `no delay setTimeout cannot take: ${delays}`,
    );
    await h.advance(2100);
    assert.equal(h.applied.length, 1, 'stopped at the deadline');
  } finally {
    globalThis.setTimeout = mocked;
    mock.timers.reset();
  }
});
