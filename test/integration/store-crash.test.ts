import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../runner/api';
import { ResourceStore } from '../../runner/store/resourceStore';
import { statePaths } from '../../runner/state/stateDir';
import { makeProject, removeProjects } from '../helpers/project';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';

describe('crash safety: kill -9 during a burst of applies', () => {
  let r: TestRunner;
  let folder: string;
  before(async () => {
    r = await startRunner();
    // Stopped environments: this test is about the store, not containers.
    folder = makeProject({ image: 'devrig-test-base:bookworm' });
  });
  after(async () => {
    await cleanupRunner(r);
    removeProjects();
  });

  test('every acknowledged apply survives; the store loads', async () => {
    const acknowledged = new Map<string, number>();
    let stop = false;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const name = `crash-${w}-${i % 25}`;
        try {
          const res = await r.client.call('apply', {
            resource: {
              kind: 'Environment',
              metadata: { name, labels: { seq: String(i) } },
              spec: { source: { folder }, state: 'Stopped', env: { SEQ: String(i) } },
            },
          });
          acknowledged.set(name, Math.max(acknowledged.get(name) ?? -1, Number(res.metadata.labels.seq)));
        } catch (e) {
          if (e instanceof ApiError && e.code === 'Unavailable') return;
          throw e;
        }
      }
    });
    // Let the burst run until enough writes were acknowledged, then pull the plug.
    await new Promise<void>((resolve) => {
      const check = () => (acknowledged.size >= 60 ? resolve() : setTimeout(check, 5));
      check();
    });
    await r.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    assert.ok(acknowledged.size >= 60);

    // The store on disk loads on its own, with every acknowledged write at least that new.
    const store = await ResourceStore.open(statePaths(r.stateDir).store);
    for (const [name, seq] of acknowledged) {
      const e = store.get('Environment', name);
      assert.ok(e, `${name} was acknowledged but is missing`);
      assert.ok(
        Number(e.spec.env?.SEQ) >= seq,
        `${name}: acknowledged seq ${seq}, stored ${e.spec.env?.SEQ}`,
      );
    }
    await store.close();

    // And a restarted runner serves them.
    await r.restart();
    const { items } = await r.client.call('list', { kind: 'Environment' });
    assert.ok(items.length >= acknowledged.size);
  });
});
