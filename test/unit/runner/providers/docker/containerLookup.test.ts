import { test } from 'node:test';
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { ContainerLookup } from '../../../../../runner/providers/docker/containerLookup';
import { LABELS } from '../../../../../runner/providers/provider';

/** An engine with containers of two environments of runner r1 and one of runner r2, counting lists. */
function fakeEngine() {
  const containers: { Id: string; Labels: Record<string, string> }[] = [
    { Id: 'a1', Labels: { [LABELS.runner]: 'r1', [LABELS.environment]: 'a' } },
    { Id: 'b1', Labels: { [LABELS.runner]: 'r1', [LABELS.environment]: 'b' } },
    { Id: 'c1', Labels: { [LABELS.runner]: 'r2', [LABELS.environment]: 'a' } },
  ];
  const lists: string[][] = [];
  const docker = {
    listContainers: async (opts: { filters: { label: string[] } }) => {
      lists.push(opts.filters.label);
      await new Promise((r) => setImmediate(r));
      return containers.filter((c) =>
        opts.filters.label.every((f) => {
          const [k, v] = f.split('=');
          return c.Labels[k!] === v;
        }),
      );
    },
    getContainer: (id: string) => ({
      inspect: async () => {
        const c = containers.find((x) => x.Id === id);
        if (!c) throw Object.assign(new Error('no such container'), { statusCode: 404 });
        return {
          Id: c.Id,
          Name: `/${c.Id}`,
          State: {
            Status: 'running',
            Running: true,
            StartedAt: 't',
            FinishedAt: '',
            ExitCode: 0,
            OOMKilled: false,
          },
          Config: { Labels: c.Labels, Env: ['A=1', 'B=x=y'] },
          Image: 'sha256:i',
          Mounts: [{ Type: 'volume', Name: 'v1' }],
        };
      },
    }),
  };
  return { docker: docker as unknown as Docker, lists };
}

test('container lookup: many reconciles looking at once share one list of their runner, each gets its own', async () => {
  const { docker, lists } = fakeEngine();
  const lookup = new ContainerLookup(docker);
  const find = (env: string) => lookup.find({ [LABELS.runner]: 'r1', [LABELS.environment]: env });
  const results = await Promise.all([find('a'), find('b'), find('a'), find('b'), find('none')]);
  assert.deepEqual(
    results.map((r) => r.map((c) => c.id)),
    [['a1'], ['b1'], ['a1'], ['b1'], []],
    'filtered by every label asked for (never another runner’s container)',
  );
  assert.ok(lists.length <= 2, `one list for the first caller, one shared by the rest: ${lists.length}`);
  assert.deepEqual(lists[0], [`${LABELS.runner}=r1`]);
  assert.deepEqual(results[0]![0]!.env, { A: '1', B: 'x=y' });
  assert.deepEqual(results[0]![0]!.volumes, ['v1']);
});

test('container lookup: a later call never gets an answer from before it asked', async () => {
  const { docker, lists } = fakeEngine();
  const lookup = new ContainerLookup(docker);
  await lookup.find({ [LABELS.runner]: 'r1' });
  await lookup.find({ [LABELS.runner]: 'r1' });
  assert.equal(lists.length, 2);
});

test('container lookup: without a runner label the filters go to the engine as they are', async () => {
  const { docker, lists } = fakeEngine();
  const lookup = new ContainerLookup(docker);
  const found = await lookup.find({ [LABELS.environment]: 'a' });
  assert.deepEqual(found.map((c) => c.id).sort(), ['a1', 'c1']);
  assert.deepEqual(lists, [[`${LABELS.environment}=a`]]);
  assert.equal(
    await lookup.inspect('gone'),
    undefined,
    'a container that is gone is undefined, not an error',
  );
});
