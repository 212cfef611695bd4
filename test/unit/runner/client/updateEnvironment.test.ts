import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, isApiError, ResourceApply, type Environment } from '../../../../runner/api';
import type { RunnerClient } from '../../../../runner/client/runnerClient';
import { updateEnvironmentSpec } from '../../../../runner/client/updateEnvironment';
import { ResourceStore } from '../../../../runner/store/resourceStore';
import { removeProjects, tempDir } from '../../../helpers/project';

after(removeProjects);

/** A client answering get and apply from a real store, with a hook to write in between. */
async function storeClient(beforeApply?: (store: ResourceStore, attempt: number) => Promise<void>) {
  const store = await ResourceStore.open(tempDir('devrig-update-'));
  let applies = 0;
  const client = {
    call: async (method: string, params: Record<string, unknown>) => {
      if (method === 'get') return store.mustGet(params.kind as 'Environment', params.name as string);
      if (method === 'apply') {
        await beforeApply?.(store, applies++);
        return store.apply(ResourceApply.parse(params.resource));
      }
      throw new ApiError('BadRequest', `unexpected ${method}`);
    },
  } as unknown as Pick<RunnerClient, 'call'>;
  return { store, client, applies: () => applies };
}

const envApply = (name: string, spec: Record<string, unknown>) =>
  ResourceApply.parse({
    kind: 'Environment',
    metadata: { name },
    spec: { source: { folder: '/src' }, ...spec },
  });

test('a change made between read and write is kept: the mutation is applied again to it', async () => {
  const { store, client, applies } = await storeClient(async (s, attempt) => {
    // Someone else writes once, between our get and our first apply.
    if (attempt === 0) await s.apply(envApply('web', { env: { SET_BY: 'someone else' } }));
  });
  await store.apply(envApply('web', {}));
  const seen: (string | undefined)[] = [];
  const applied = await updateEnvironmentSpec(client, 'web', (cur) => {
    seen.push(cur?.metadata.resourceVersion);
    return { ...cur!.spec, state: 'Stopped' };
  });
  assert.equal(applies(), 2, 'the first apply was a conflict');
  assert.deepEqual(seen, ['1', '2']);
  assert.equal(applied.spec.state, 'Stopped');
  assert.deepEqual(applied.spec.env, { SET_BY: 'someone else' }, 'the concurrent change survived');
  await store.close();
});

test('it gives up after the retries with the Conflict', async () => {
  const { store, client, applies } = await storeClient(async (s, attempt) => {
    await s.apply(envApply('web', { env: { N: String(attempt) } }));
  });
  await store.apply(envApply('web', {}));
  await assert.rejects(
    updateEnvironmentSpec(client, 'web', (cur) => ({ ...cur!.spec, state: 'Stopped' }), { retries: 2 }),
    (e) => isApiError(e, 'Conflict'),
  );
  assert.equal(applies(), 3);
  await store.close();
});

test('create: a missing environment is created, without it NotFound', async () => {
  const { store, client } = await storeClient();
  await assert.rejects(
    updateEnvironmentSpec(client, 'new', () => ({ source: { folder: '/src' } })),
    (e) => isApiError(e, 'NotFound'),
  );
  let given: Environment | undefined | 'unset' = 'unset';
  const created = await updateEnvironmentSpec(
    client,
    'new',
    (cur) => {
      given = cur;
      return { source: { folder: '/src' }, state: 'Running' };
    },
    { create: true },
  );
  assert.equal(given, undefined);
  assert.equal(created.metadata.generation, 1);
  await store.close();
});

test('an environment being deleted is refused at once', async () => {
  const { store, client, applies } = await storeClient();
  await store.apply(envApply('web', {}));
  await store.setFinalizers('Environment', 'web', ['devrig.dev/test']);
  await store.delete('Environment', 'web');
  await assert.rejects(
    updateEnvironmentSpec(client, 'web', (cur) => ({ ...cur!.spec, state: 'Running' })),
    (e) => isApiError(e, 'Conflict') && /being deleted/.test(e.message),
  );
  assert.equal(applies(), 0);
  await store.close();
});

test('an invalid name is refused before anything is read, saying which rule', async () => {
  const { store, client, applies } = await storeClient();
  await assert.rejects(
    updateEnvironmentSpec(client, 'Bad_Name', () => ({ source: { folder: '/src' } }), { create: true }),
    (e) => isApiError(e, 'Invalid') && /metadata\.name: must be 1-40 characters/.test(e.message),
  );
  assert.equal(applies(), 0);
  await store.close();
});
