// One reconcile of one Environment against a fake ContainerProvider, table-driven in the spirit of
// sample-controller's syncHandler tests: given the world and the stored object, run a single
// reconcile and check what it did to the world (the provider's calls), what it reported (phase,
// conditions), which add-on hooks it called, and what the work queue is told (ok, retry with
// backoff, or a terminal error).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Environment, EnvironmentSpecInput } from '../../../../../runner/api';
import { EnvLogs } from '../../../../../runner/logs/envLogs';
import { Controller, TerminalError } from '../../../../../runner/reconcile/controller';
import { EnvironmentReconciler } from '../../../../../runner/reconcile/environment/environmentReconciler';
import type { EnvironmentHooks } from '../../../../../runner/reconcile/environment/hooks';
import { ResourceStore } from '../../../../../runner/store/resourceStore';
import { FakeContainerProvider } from '../../../../fakes/fakeContainerProvider';

const NAME = 'web';
const CONFIG = { image: 'debian:bookworm-slim', postCreateCommand: 'echo created' };

interface Harness {
  dir: string;
  src: string;
  store: ResourceStore;
  provider: FakeContainerProvider;
  hookCalls: string[];
  reconciler: EnvironmentReconciler;
  /** One reconcile, as the work queue sees it. */
  reconcile(): Promise<'ok' | 'retry' | 'terminal'>;
  /** A new runner over the same store and world (in-memory caches gone). */
  restartRunner(): void;
  setSpec(change: Partial<EnvironmentSpecInput>): Promise<void>;
  writeConfig(config: object | string): void;
  env(): Environment | undefined;
  /** Forgets what was recorded so far (after a setup). */
  clear(): void;
}

async function harness(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'devrig-reconcile-'));
  const src = join(dir, 'src');
  mkdirSync(join(src, '.devcontainer'), { recursive: true });
  const writeConfig = (config: object | string) =>
    writeFileSync(
      join(src, '.devcontainer', 'devcontainer.json'),
      typeof config === 'string' ? config : JSON.stringify(config),
    );
  writeConfig(CONFIG);
  const store = await ResourceStore.open(join(dir, 'store'));
  const logs = new EnvLogs({ dir: join(dir, 'logs') });
  const provider = new FakeContainerProvider();
  provider.onExec = (id, opts) => {
    provider.calls.push(`exec ${id} ${opts.cmd.join(' ')}`);
    return { code: 0 };
  };
  const hookCalls: string[] = [];
  const hooks: EnvironmentHooks = {
    prepare: async (_e, id) => void hookCalls.push(`prepare ${id}`),
    ready: async (_e, id) => void hookCalls.push(`ready ${id}`),
    beforeStop: async (_e, id) => void hookCalls.push(`beforeStop ${id}`),
    stopped: async () => void hookCalls.push('stopped'),
  };
  const make = () =>
    new EnvironmentReconciler({
      store,
      logs,
      providerFor: () => provider,
      sourcesDir: join(dir, 'sources'),
      runnerId: 'runner-1',
      hashBuildInputs: async () => 'build-inputs',
      hooks,
      localEnv: {},
    });
  await store.apply({
    kind: 'Environment',
    metadata: { name: NAME },
    spec: { source: { folder: src }, state: 'Running' },
  } as never);
  const h: Harness = {
    dir,
    src,
    store,
    provider,
    hookCalls,
    reconciler: make(),
    async reconcile() {
      try {
        await h.reconciler.reconcile(NAME, new AbortController().signal);
        return 'ok';
      } catch (e) {
        return e instanceof TerminalError ? 'terminal' : 'retry';
      }
    },
    restartRunner() {
      h.reconciler = make();
    },
    async setSpec(change) {
      const e = store.mustGet('Environment', NAME);
      await store.apply({
        kind: 'Environment',
        metadata: { name: NAME },
        spec: { ...e.spec, ...change },
      } as never);
    },
    writeConfig,
    env: () => store.get('Environment', NAME),
    clear() {
      provider.calls.length = 0;
      hookCalls.length = 0;
    },
  };
  return h;
}

/** `Type=Status/Reason` for the named conditions. */
function conditions(env: Environment | undefined, types: string[]): string[] {
  return types.map((t) => {
    const c = env?.status.conditions.find((x) => x.type === t);
    return `${t}=${c ? `${c.status}/${c.reason}` : '-'}`;
  });
}

/** Container names carry a piece of the uid: `devrig-web-<uid>` → `devrig-web`. */
const normalise = (calls: string[]) => calls.map((c) => c.replace(/devrig-web-[0-9a-f]{6}/, 'devrig-web'));

interface Case {
  name: string;
  /** What the world and the stored object look like before the reconcile under test. */
  setup(h: Harness): Promise<void>;
  result: 'ok' | 'retry' | 'terminal';
  calls: string[];
  hooks: string[];
  phase?: string;
  conditions?: string[];
  check?(h: Harness): void;
}

/** An environment that came up once (container c1, postCreate done), then a new reconcile. */
async function upOnce(h: Harness): Promise<void> {
  assert.equal(await h.reconcile(), 'ok');
  h.clear();
}

const cases: Case[] = [
  {
    name: 'create: no container yet',
    setup: async () => {},
    result: 'ok',
    calls: [
      'ensureImage debian:bookworm-slim',
      'createContainer devrig-web',
      'startContainer c1',
      'exec c1 /bin/sh -c echo created',
    ],
    hooks: ['prepare c1', 'ready c1'],
    phase: 'Running',
    conditions: [
      'Ready=True/Ready',
      'ConfigValid=True/Valid',
      'ImageReady=True/Pulled',
      'WorkspaceReady=True/BindMounted',
      'ContainerRunning=True/Running',
      'LifecycleComplete=True/Completed',
      'UpToDate=True/InSync',
    ],
    check: (h) => {
      const e = h.env()!;
      assert.equal(e.status.containerId, 'c1');
      assert.equal(e.status.observedGeneration, 1);
      assert.deepEqual(e.metadata.finalizers, ['devrig.dev/cleanup']);
      assert.equal(h.provider.file('c1', '/var/lib/devrig/markers/created'), 'done');
    },
  },
  {
    name: 'adopt: a restarted runner leaves a running container (and its done lifecycle) alone',
    setup: async (h) => {
      await upOnce(h);
      h.restartRunner();
    },
    result: 'ok',
    calls: [],
    hooks: ['prepare c1', 'ready c1'],
    phase: 'Running',
    conditions: ['ContainerRunning=True/Running', 'LifecycleComplete=True/Completed'],
  },
  {
    name: 'drift: the container was removed behind our back → created again, postCreate again',
    setup: async (h) => {
      await upOnce(h);
      h.provider.removedBehindOurBack('c1');
    },
    result: 'ok',
    calls: [
      'ensureImage debian:bookworm-slim',
      'createContainer devrig-web',
      'startContainer c2',
      'exec c2 /bin/sh -c echo created',
    ],
    hooks: ['prepare c2', 'ready c2'],
    phase: 'Running',
    conditions: ['ImageReady=True/Present', 'ContainerRunning=True/Running'],
  },
  {
    name: 'drift: the container stopped → started again, postCreate not rerun',
    setup: async (h) => {
      await upOnce(h);
      h.provider.exited('c1', 137);
    },
    result: 'ok',
    calls: ['startContainer c1'],
    hooks: ['prepare c1', 'ready c1'],
    phase: 'Running',
    conditions: ['ContainerRunning=True/Running', 'LifecycleComplete=True/Completed'],
  },
  {
    name: 'spec change → the container is recreated (add-ons told first)',
    setup: async (h) => {
      await upOnce(h);
      await h.setSpec({ env: { GREETING: 'hi' } });
    },
    result: 'ok',
    calls: [
      'ensureImage debian:bookworm-slim',
      'removeContainer c1',
      'createContainer devrig-web',
      'startContainer c2',
      'exec c2 /bin/sh -c echo created',
    ],
    hooks: ['beforeStop c1', 'prepare c2', 'ready c2'],
    phase: 'Running',
    check: (h) => {
      assert.equal(h.env()!.status.observedGeneration, 2);
      assert.equal(h.provider.containers.get('c2')?.spec.env.GREETING, 'hi');
    },
  },
  {
    name: 'devcontainer.json edited → reported (UpToDate=False), not applied until a rebuild',
    setup: async (h) => {
      await upOnce(h);
      h.writeConfig({ ...CONFIG, containerEnv: { EDITED: '1' } });
    },
    result: 'ok',
    calls: [],
    hooks: ['prepare c1', 'ready c1'],
    phase: 'Running',
    conditions: ['Ready=True/Ready', 'UpToDate=False/ConfigChanged'],
  },
  {
    name: 'an engine failure → retried with backoff, reported as this generation’s failure',
    setup: async (h) => {
      h.provider.failNext.set('ensureImage', new Error('registry unreachable'));
    },
    result: 'retry',
    calls: ['ensureImage debian:bookworm-slim'],
    hooks: [],
    phase: 'Failed',
    conditions: ['Ready=False/PullFailed', 'ImageReady=False/PullFailed'],
    check: (h) => {
      const e = h.env()!;
      assert.equal(e.status.lastError, 'registry unreachable');
      assert.equal(e.status.observedGeneration, 0, 'not observed: it is being retried');
      assert.equal(e.status.conditions.find((c) => c.type === 'ImageReady')?.observedGeneration, 1);
    },
  },
  {
    name: 'a bad devcontainer.json → a terminal error (not retried), where it is wrong',
    setup: async (h) => h.writeConfig('{ "image": "debian", }}'),
    result: 'terminal',
    calls: [],
    hooks: [],
    phase: 'Failed',
    conditions: ['Ready=False/ConfigInvalid', 'ConfigValid=False/ConfigInvalid'],
    check: (h) => {
      const e = h.env()!;
      assert.equal(e.status.observedGeneration, 1, 'observed: nothing to retry until something changes');
      assert.match(e.status.lastError ?? '', /devcontainer\.json:1:\d+/);
    },
  },
  {
    name: "the image's devcontainer.metadata: its remoteUser, containerEnv and postStart hook (before the config's)",
    setup: async (h) => {
      h.writeConfig({ ...CONFIG, postStartCommand: 'echo config-start' });
      h.provider.imageDetails.set('debian:bookworm-slim', {
        user: '',
        labels: {
          'devcontainer.metadata': JSON.stringify({
            remoteUser: 'vscode',
            containerEnv: { FROM_BASE: 'yes' },
            postStartCommand: 'echo base-start',
          }),
        },
      });
    },
    result: 'ok',
    calls: [
      'ensureImage debian:bookworm-slim',
      'createContainer devrig-web',
      'startContainer c1',
      'exec c1 /bin/sh -c echo created',
      'exec c1 /bin/sh -c echo base-start',
      'exec c1 /bin/sh -c echo config-start',
    ],
    hooks: ['prepare c1', 'ready c1'],
    phase: 'Running',
    check: (h) => {
      const e = h.env()!;
      assert.equal(e.status.remoteUser, 'vscode');
      assert.equal(h.provider.containers.get('c1')?.spec.env['FROM_BASE'], 'yes');
      assert.equal(e.status.features, undefined, 'no Features, no FeaturesReady');
    },
  },
  {
    name: 'Features on a plain host (no engine): refused with FeaturesNeedEngine, nothing created',
    setup: async (h) => {
      h.writeConfig({ ...CONFIG, features: { './mine': {} } });
      Object.assign(h.provider, { plain: true });
    },
    result: 'terminal',
    calls: [],
    hooks: [],
    phase: 'Failed',
    conditions: ['Ready=False/FeaturesNeedEngine', 'FeaturesReady=False/FeaturesNeedEngine'],
    check: (h) => {
      const c = h.env()!.status.conditions.find((x) => x.type === 'FeaturesReady');
      assert.match(c?.message ?? '', /^Features need a container engine: fake is a plain host/);
      assert.equal(h.provider.containers.size, 0);
    },
  },
  {
    name: 'desired Stopped → stopped (add-ons told before and after)',
    setup: async (h) => {
      await upOnce(h);
      await h.setSpec({ state: 'Stopped' });
    },
    result: 'ok',
    calls: ['stopContainer c1'],
    hooks: ['beforeStop c1', 'stopped'],
    phase: 'Stopped',
    conditions: ['Ready=False/Stopped', 'ContainerRunning=False/Stopped'],
  },
  {
    name: 'deletion: the container goes, then the finalizer, then the object',
    setup: async (h) => {
      await upOnce(h);
      await h.store.delete('Environment', NAME);
      assert.ok(h.env()?.metadata.deletionTimestamp, 'held by the finalizer');
    },
    result: 'ok',
    calls: ['removeContainer c1'],
    hooks: ['beforeStop c1', 'stopped'],
    check: (h) => {
      assert.equal(h.env(), undefined, 'removed once the finalizer went');
      assert.equal(h.provider.containers.size, 0);
    },
  },
];

for (const c of cases) {
  test(`reconcile: ${c.name}`, async () => {
    const h = await harness();
    try {
      await c.setup(h);
      assert.equal(await h.reconcile(), c.result, 'what the work queue is told');
      assert.deepEqual(normalise(h.provider.calls), c.calls, 'what it did to the world');
      assert.deepEqual(h.hookCalls, c.hooks, 'which add-on hooks it called');
      if (c.phase) assert.equal(h.env()?.status.phase, c.phase);
      if (c.conditions) {
        const types = c.conditions.map((s) => s.split('=')[0]!);
        assert.deepEqual(conditions(h.env(), types), c.conditions);
      }
      c.check?.(h);
    } finally {
      await h.store.close();
      rmSync(h.dir, { recursive: true, force: true });
    }
  });
}

test('reconcile under the controller: a failure is retried after a backoff, then succeeds', async () => {
  const h = await harness();
  const controller = new Controller(h.reconciler, {
    name: 'environments',
    workers: 1,
    backoff: { baseMs: 20, maxMs: 100 },
  });
  try {
    h.provider.failNext.set('createContainer', new Error('no space left on device'));
    const retries: (number | undefined)[] = [];
    const onError = h.reconciler.onError.bind(h.reconciler);
    h.reconciler.onError = (key, e, retryIn) => {
      retries.push(retryIn);
      onError(key, e, retryIn);
    };
    controller.start();
    controller.enqueue(NAME);
    const deadline = Date.now() + 10_000;
    while (h.env()?.status.phase !== 'Running' && Date.now() < deadline)
      await controller.onIdle().then(() => new Promise((r) => setImmediate(r)));
    assert.equal(h.env()?.status.phase, 'Running');
    assert.equal(retries.length, 1);
    assert.ok(retries[0] !== undefined && retries[0] >= 20, 'retried after a backoff');
    assert.deepEqual(
      normalise(h.provider.calls).filter((c) => c.startsWith('createContainer')),
      ['createContainer devrig-web', 'createContainer devrig-web'],
    );
  } finally {
    await controller.stop();
    await h.store.close();
    rmSync(h.dir, { recursive: true, force: true });
  }
});
