import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { ApiError, AUTOMATIONS_FILE, EnvironmentStatus, type Environment } from '../../../../runner/api';
import { recordParts } from '../../../helpers/statusParts';
import { AutomationsController } from '../../../../runner/automations/automationsController';
import type { EnvLogs } from '../../../../runner/logs/envLogs';
import type { ContainerProvider } from '../../../../runner/providers/provider';
import type { ResourceStore } from '../../../../runner/store/resourceStore';

const FILE = `/work/${AUTOMATIONS_FILE}`;

function environment(status: Partial<EnvironmentStatus>): Environment {
  return {
    kind: 'Environment',
    metadata: {
      name: 'e',
      uid: 'u',
      generation: 1,
      resourceVersion: '1',
      creationTimestamp: new Date(0).toISOString(),
      finalizers: [],
      labels: {},
    },
    spec: { source: { folder: '/src' }, state: 'Running' },
    status: EnvironmentStatus.parse({ phase: 'Running', workspaceFolder: '/work', ...status }),
  };
}

function tarOf(name: string, text: string): Readable {
  const p = pack();
  p.entry({ name }, text);
  p.finalize();
  return p as unknown as Readable;
}

/** A controller on a fake container whose automations file the test writes, reads counted. */
function harness() {
  let env = environment({ containerId: 'c1', startedAt: 's1' });
  const container = { file: undefined as string | undefined, reads: 0, engineAway: false };
  const provider = {
    getArchive: async (_id: string, path: string) => {
      if (path !== FILE) return undefined;
      container.reads++;
      if (container.engineAway) throw new Error('engine away');
      return container.file === undefined ? undefined : tarOf('automations.yaml', container.file);
    },
  } as unknown as ContainerProvider;
  const { parts, sink } = recordParts<'automations'>();
  const c = new AutomationsController({
    store: { get: () => env, mustGet: () => env } as unknown as ResourceStore,
    logs: { writer: () => () => {}, append: async () => {} } as unknown as EnvLogs,
    status: sink,
    providerFor: async () => provider,
    commandEnv: async () => ({}),
    log: () => {},
  });
  const ready = () => c.ready(env, env.status.containerId!, structuredClone(env.status));
  const setStatus = (s: Partial<EnvironmentStatus>) => (env = environment({ ...env.status, ...s }));
  const condition = () => parts.filter((p) => p.conditions).at(-1)?.conditions?.AutomationsReady;
  return { c, container, ready, setStatus, condition, env: () => env };
}

test('automations: the file is read once per container start, again on an automations call', async () => {
  const h = harness();
  await h.ready();
  await h.ready();
  await h.ready();
  assert.equal(h.container.reads, 1, 'reconciles of the same start do not read it again');

  // Edited in the container: reconciles keep what was read ...
  h.container.file = 'tasks:\n  build: [\n';
  await h.ready();
  assert.equal(h.container.reads, 1);
  assert.equal(h.condition() ?? null, null);

  // ... an automations call reads it again (and reports what is wrong with it).
  const call = h.c.handlers()['automations.run']!;
  await assert.rejects(
    call({ name: 'e', id: 'build' }, {} as never),
    (e) => e instanceof ApiError && e.code === 'Invalid' && /automations\.yaml:\d+:\d+/.test(e.message),
  );
  assert.equal(h.container.reads, 2);
  assert.equal(h.condition()?.status, 'False');
  await h.ready();
  assert.equal(h.container.reads, 2, 'and reconciles use that');

  // A new container start (or container) reads it again; so does one after a stop.
  h.container.file = undefined;
  h.setStatus({ startedAt: 's2' });
  await h.ready();
  assert.equal(h.container.reads, 3);
  assert.equal(h.condition() ?? null, null, 'the file is gone: nothing is wrong any more');
  await h.c.stopped(h.env());
  await h.ready();
  assert.equal(h.container.reads, 4);
});

test('automations: an engine that does not answer is not remembered as "no file"', async () => {
  const h = harness();
  h.container.engineAway = true;
  await h.ready();
  h.container.engineAway = false;
  await h.ready();
  await h.ready();
  assert.equal(h.container.reads, 2);
});
