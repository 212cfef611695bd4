import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schedule, type EnvironmentView, type HostView } from '../../../../runner/hosts/scheduler';

const host = (name: string, o: Partial<HostView> = {}): HostView => ({
  name,
  labels: { pool: 'a' },
  ready: true,
  deleting: false,
  ...o,
});
const env = (name: string, o: Partial<EnvironmentView> = {}): EnvironmentView => ({ name, ...o });

type Want = { host: string; message?: RegExp } | { unschedulable: RegExp };
const cases: [string, EnvironmentView, HostView[], EnvironmentView[], Want][] = [
  ['no host, no selector → local', env('e'), [host('a')], [], { host: 'local', message: /default/ }],
  ['spec.host local → local', env('e', { host: 'local' }), [], [], { host: 'local', message: /spec\.host/ }],
  [
    'spec.host names a ready host',
    env('e', { host: 'a' }),
    [host('a')],
    [],
    { host: 'a', message: /because spec\.host names it/ },
  ],
  [
    'spec.host names a missing host',
    env('e', { host: 'nope' }),
    [host('a')],
    [],
    { unschedulable: /host nope does not exist/ },
  ],
  [
    'spec.host names an unreachable host',
    env('e', { host: 'a' }),
    [host('a', { ready: false, notReady: 'connection refused' })],
    [],
    { unschedulable: /host a is not ready \(connection refused\)/ },
  ],
  [
    'spec.host names a full host',
    env('e', { host: 'a' }),
    [host('a', { capacity: { maxEnvironments: 1 } })],
    [env('x', { placedOn: 'a' })],
    { unschedulable: /host a is full \(1\/1 environments\)/ },
  ],
  [
    'selector: most free share wins',
    env('e', { hostSelector: { pool: 'a' } }),
    [host('a', { capacity: { maxEnvironments: 2 } }), host('b', { capacity: { maxEnvironments: 4 } })],
    [env('x', { placedOn: 'a' }), env('y', { placedOn: 'b' })],
    { host: 'b', message: /matches pool=a and has the most room \(3 of 4 slots free\); also fit: a/ },
  ],
  [
    'selector: ties go to the fewest environments, then the name',
    env('e', { hostSelector: { pool: 'a' } }),
    [host('b'), host('a'), host('c')],
    [env('x', { placedOn: 'a' })],
    { host: 'b' },
  ],
  [
    'selector: labels must all match',
    env('e', { hostSelector: { pool: 'a', gpu: 'yes' } }),
    [host('a'), host('b', { labels: { pool: 'a', gpu: 'yes' } })],
    [],
    { host: 'b' },
  ],
  [
    'selector: nothing carries the labels',
    env('e', { hostSelector: { pool: 'z' } }),
    [host('a')],
    [],
    { unschedulable: /no host has the labels pool=z/ },
  ],
  [
    'selector: every match is full or down → explained per host',
    env('e', { hostSelector: { pool: 'a' } }),
    [
      host('a', { capacity: { maxEnvironments: 1 } }),
      host('b', { ready: false, notReady: 'keepalive timeout' }),
    ],
    [env('x', { placedOn: 'a' })],
    {
      unschedulable:
        /no reachable host with capacity matches pool=a: a is full \(1\/1 environments\); b is not ready \(keepalive timeout\)/,
    },
  ],
  [
    'selector: a host being removed takes nothing new',
    env('e', { hostSelector: { pool: 'a' } }),
    [host('a', { deleting: true }), host('b')],
    [],
    { host: 'b', message: /skipped: a is being removed/ },
  ],
  [
    'placed already: stays, even when its host is down or full',
    env('e', { hostSelector: { pool: 'a' }, placedOn: 'a' }),
    [host('a', { ready: false, capacity: { maxEnvironments: 1 } }), host('b')],
    [env('e', { placedOn: 'a' })],
    { host: 'a' },
  ],
  [
    'placed already, spec.host changed: stays and says so',
    env('e', { host: 'b', placedOn: 'a' }),
    [host('a'), host('b')],
    [],
    { host: 'a', message: /environments do not move/ },
  ],
  [
    'its own placement does not count against it',
    env('e', { host: 'a' }),
    [host('a', { capacity: { maxEnvironments: 1 } })],
    [env('e', { placedOn: 'a' })],
    { host: 'a' },
  ],
  [
    'cpu capacity counts explicit requests',
    env('e', { host: 'a', cpus: 2 }),
    [host('a', { capacity: { cpus: 4 } })],
    [env('x', { placedOn: 'a', cpus: 3 })],
    { unschedulable: /host a has not enough CPUs \(1 free, 2 asked\)/ },
  ],
  [
    'memory capacity counts explicit requests',
    env('e', { host: 'a', memoryBytes: 2 * 1024 ** 3 }),
    [host('a', { capacity: { memoryBytes: 4 * 1024 ** 3 } })],
    [env('x', { placedOn: 'a', memoryBytes: 1024 ** 3 })],
    { host: 'a' },
  ],
];

for (const [name, e, hosts, others, want] of cases) {
  test(`schedule: ${name}`, () => {
    const got = schedule(e, hosts, others);
    if ('unschedulable' in want) {
      assert.equal(got.scheduled, false, JSON.stringify(got));
      assert.equal(got.reason, 'Unschedulable');
      assert.match(got.message, want.unschedulable);
    } else {
      assert.equal(got.scheduled, true, JSON.stringify(got));
      assert.equal(got.scheduled && got.host, want.host);
      if (want.message) assert.match(got.message, want.message);
    }
  });
}

test('schedule: deterministic whatever the input order', () => {
  const hosts = [host('c'), host('a'), host('b')];
  const e = env('e', { hostSelector: { pool: 'a' } });
  const first = schedule(e, hosts, []);
  for (let i = 0; i < 5; i++) {
    const shuffled = [...hosts].sort(() => Math.random() - 0.5);
    assert.deepEqual(schedule(e, shuffled, []), first);
  }
  assert.equal(first.scheduled && first.host, 'a');
});
