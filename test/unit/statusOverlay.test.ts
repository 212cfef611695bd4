import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResourceApply, type EnvironmentStatus } from '../../runner/api';
import { StatusOverlay } from '../../runner/addons/statusOverlay';
import { redactor } from '../../runner/secrets/redact';
import { ResourceStore } from '../../runner/store/resourceStore';

const env = (name: string) =>
  ResourceApply.parse({ kind: 'Environment', metadata: { name }, spec: { source: { folder: '/src' } } });

async function withStore(fn: (s: ResourceStore) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'devrig-overlay-'));
  const store = await ResourceStore.open(dir);
  try {
    await fn(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('patchStatus changes a copy in write order; no write when nothing changed or the object is gone', async () => {
  await withStore(async (s) => {
    await s.apply(env('a'));
    const rv = s.mustGet('Environment', 'a').metadata.resourceVersion;
    const same = await s.patchStatus('Environment', 'a', (st) => st);
    assert.equal(same?.metadata.resourceVersion, rv);
    const changed = await s.patchStatus('Environment', 'a', (st) => ({ ...st, lastActivity: 'now' }));
    assert.equal(changed?.status.lastActivity, 'now');
    assert.equal(await s.patchStatus('Environment', 'missing', (st) => st), undefined);
  });
});

test("the add-ons' parts survive a reconciler writing a status read before they changed", async () => {
  await withStore(async (s) => {
    await s.apply(env('a'));
    const overlay = new StatusOverlay(s, redactor(['top-secret-value']));
    // The reconciler reads the status at the start of a long reconcile...
    const stale: EnvironmentStatus = structuredClone(s.mustGet('Environment', 'a').status);
    // ...meanwhile the add-ons publish theirs...
    overlay.set('a', {
      ports: [{ port: 3000, protocol: 'tcp', source: 'config', state: 'Forwarded', localPort: 3000 }],
      idleStopAt: '2030-01-01T00:00:00.000Z',
      conditions: {
        Active: {
          type: 'Active',
          status: 'True',
          reason: 'Active',
          message: 'stops after 30m without activity',
        },
      },
    });
    await overlay.flush();
    assert.equal(s.mustGet('Environment', 'a').status.ports.length, 1);
    // ...and the reconciler writes its stale copy through the overlayStatus hook.
    stale.lastError = 'postCreateCommand failed: echo top-secret-value';
    overlay.apply('a', stale, 1);
    await s.updateStatus('Environment', 'a', stale);
    const status = s.mustGet('Environment', 'a').status;
    assert.equal(status.ports[0]?.localPort, 3000);
    assert.equal(status.idleStopAt, '2030-01-01T00:00:00.000Z');
    assert.equal(status.conditions.find((c) => c.type === 'Active')?.status, 'True');
    assert.equal(
      status.lastError,
      'postCreateCommand failed: echo ***',
      'secrets are scrubbed from every status',
    );

    overlay.set('a', { idleStopAt: null, conditions: { Active: null } });
    await overlay.flush();
    const cleared = s.mustGet('Environment', 'a').status;
    assert.equal(cleared.idleStopAt, undefined);
    assert.equal(
      cleared.conditions.find((c) => c.type === 'Active'),
      undefined,
    );
  });
});
