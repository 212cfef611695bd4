import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyOverrides,
  compareOptions,
  computeInstallOrder,
  FeatureOrderError,
  sameFeature,
  type OrderNode,
  type SoftSource,
} from '../../../../runner/features/order';

function local(name: string, options: unknown = {}, deps: OrderNode[] = [], after: string[] = []): OrderNode {
  return {
    userId: `./${name}`,
    source: { kind: 'local', folder: `/p/.devcontainer/${name}` },
    options,
    aliases: [name],
    dependsOn: deps,
    installsAfter: after.map((a) => ({
      userId: `./${a}`,
      source: { kind: 'local', folder: `/p/.devcontainer/${a}` },
    })),
    roundPriority: 0,
  };
}

function oci(
  id: string,
  options: unknown = {},
  extra: { tag?: string; digest?: string; aliases?: string[]; after?: string[]; deps?: OrderNode[] } = {},
): OrderNode {
  const tag = extra.tag ?? '1';
  return {
    userId: `ghcr.io/ns/${id}:${tag}`,
    source: {
      kind: 'oci',
      registry: 'ghcr.io',
      namespace: 'ns',
      id,
      resource: `ghcr.io/ns/${id}`,
      tag,
      manifestDigest: extra.digest ?? `sha256:${id}`,
    },
    options,
    aliases: extra.aliases ?? [id],
    dependsOn: extra.deps ?? [],
    installsAfter: (extra.after ?? []).map((a) => ({
      userId: a,
      source: { kind: 'oci', registry: 'ghcr.io', namespace: 'ns', resource: a },
    })),
    roundPriority: 0,
  };
}

const ids = (nodes: OrderNode[]) => nodes.map((n) => n.userId);

test('dependsOn: dependencies first, in rounds', () => {
  const c = local('c');
  const b = local('b', {}, [local('c')]);
  const a = local('a', {}, [local('b', {}, [])]);
  assert.deepEqual(ids(computeInstallOrder([a, b, c])), ['./c', './b', './a']);
});

test('within a round the reference tie-break: local by path, OCI by namespace and id, kinds by written id', () => {
  assert.deepEqual(ids(computeInstallOrder([local('zeta'), local('Alpha'), local('beta')])), [
    './Alpha',
    './beta',
    './zeta',
  ]);
  assert.deepEqual(ids(computeInstallOrder([oci('node'), oci('go'), oci('python')])), [
    'ghcr.io/ns/go:1',
    'ghcr.io/ns/node:1',
    'ghcr.io/ns/python:1',
  ]);
  assert.deepEqual(ids(computeInstallOrder([oci('node'), local('a')])), ['./a', 'ghcr.io/ns/node:1']);
  // Same Feature, different options: installed twice, ordered by tag then options.
  const twice = computeInstallOrder([
    oci('node', { version: '20' }, { tag: '2', digest: 'sha256:2' }),
    oci('node', { version: '18' }),
  ]);
  assert.deepEqual(
    twice.map((n) => [n.userId, n.options]),
    [
      ['ghcr.io/ns/node:1', { version: '18' }],
      ['ghcr.io/ns/node:2', { version: '20' }],
    ],
  );
});

test('installsAfter orders only Features that are there; an alias (legacy id) counts', () => {
  const tools = oci('tools', {}, { after: ['ghcr.io/ns/common-utils', 'ghcr.io/ns/absent'] });
  const common = oci('common-utils', {}, { aliases: ['common-utils', 'common'] });
  assert.deepEqual(ids(computeInstallOrder([tools, common])), [
    'ghcr.io/ns/common-utils:1',
    'ghcr.io/ns/tools:1',
  ]);
  assert.deepEqual(
    tools.installsAfter.map((s) => s.userId),
    ['ghcr.io/ns/common-utils'],
    'the absent one is dropped',
  );
  const legacy = oci('x', {}, { after: ['ghcr.io/ns/common'] });
  assert.deepEqual(
    ids(computeInstallOrder([legacy, oci('common-utils', {}, { aliases: ['common-utils', 'common'] })])),
    ['ghcr.io/ns/common-utils:1', 'ghcr.io/ns/x:1'],
  );
});

test('overrideFeatureInstallOrder: earlier entries get higher priority; only the top priority goes per round', () => {
  const nodes = [local('a'), local('b'), local('c')];
  const overrides: SoftSource[] = [
    { kind: 'local', folder: '/p/.devcontainer/c' },
    { kind: 'local', folder: '/p/.devcontainer/b' },
    { kind: 'local', folder: '/p/.devcontainer/none' },
  ];
  assert.deepEqual(applyOverrides(nodes, overrides), [true, true, false]);
  assert.deepEqual(
    nodes.map((n) => n.roundPriority),
    [0, 2, 3],
  );
  assert.deepEqual(ids(computeInstallOrder(nodes)), ['./c', './b', './a']);
  // A dependency still comes first, however high its dependent's priority.
  const dep = local('dep');
  const top = local('top', {}, [local('dep')]);
  applyOverrides([top, dep], [{ kind: 'local', folder: '/p/.devcontainer/top' }]);
  assert.deepEqual(ids(computeInstallOrder([top, dep])), ['./dep', './top']);
});

test('a cycle is an error naming the chain', () => {
  const a = local('a', {}, [local('b')]);
  const b = local('b', {}, [local('a')]);
  assert.throws(
    () => computeInstallOrder([a, b]),
    (e: unknown) =>
      e instanceof FeatureOrderError &&
      e.message === 'the Features depend on each other in a cycle: ./a → ./b → ./a',
  );
  const x = local('x', {}, [], ['y']);
  const y = local('y', {}, [], ['x']);
  assert.throws(() => computeInstallOrder([x, y]), /cycle: \.\/x → \.\/y → \.\/x/);
});

test('sameFeature: same digest and equal options; compareOptions as the reference', () => {
  assert.ok(sameFeature(oci('n', { a: '1' }), oci('n', { a: '1' })));
  assert.ok(!sameFeature(oci('n', { a: '1' }), oci('n', { a: '2' })));
  assert.ok(!sameFeature(local('n'), oci('n')));
  assert.equal(compareOptions({ a: '1' }, { a: '1', b: '2' }), -1);
  assert.equal(compareOptions({ b: '1' }, { a: '1' }), 1);
  assert.equal(compareOptions(true, false), 1);
  assert.equal(compareOptions('x', { a: 1 }), 'string'.localeCompare('object'));
  assert.equal(compareOptions(undefined, undefined), 0);
});
