import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isApiError, ResourceApply } from '../../../../runner/api';
import { StatusDraft } from '../../../../runner/reconcile/environment/statusDraft';
import { redactor } from '../../../../runner/secrets/redact';
import { ResourceStore } from '../../../../runner/store/resourceStore';
import { StatusPatcher } from '../../../../runner/store/statusPatcher';

const env = (name: string) =>
  ResourceApply.parse({ kind: 'Environment', metadata: { name }, spec: { source: { folder: '/src' } } });

async function withStore(fn: (s: ResourceStore) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'devrig-status-'));
  const store = await ResourceStore.open(dir);
  try {
    await fn(store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('patchEnvironmentStatus: no write when nothing changed, none for a gone or replaced object, Conflict on a stale resourceVersion', async () => {
  await withStore(async (s) => {
    await s.apply(env('a'));
    const first = await s.patchEnvironmentStatus('a', 'activity', { fields: { lastActivity: 'now' } });
    const rv = first!.metadata.resourceVersion;
    const same = await s.patchEnvironmentStatus('a', 'activity', { fields: { lastActivity: 'now' } });
    assert.equal(same?.metadata.resourceVersion, rv, 'nothing changed: not written');
    assert.equal(await s.patchEnvironmentStatus('missing', 'ports', { fields: { ports: [] } }), undefined);
    assert.equal(
      await s.patchEnvironmentStatus('a', 'ports', { fields: { ports: [] } }, { uid: 'another-object' }),
      undefined,
    );
    await assert.rejects(
      s.patchEnvironmentStatus(
        'a',
        'activity',
        { fields: { lastActivity: 'later' } },
        { resourceVersion: '1' },
      ),
      (e) => isApiError(e, 'Conflict'),
    );
    const ok = await s.patchEnvironmentStatus(
      'a',
      'activity',
      { fields: { idleStopAt: 'x' } },
      { resourceVersion: rv },
    );
    assert.equal(ok?.status.idleStopAt, 'x');
  });
});

test('a writer patches only its own part: another writer’s field or condition is refused', async () => {
  await withStore(async (s) => {
    await s.apply(env('a'));
    await assert.rejects(
      // Not allowed by the types either: the point is that the store refuses it at run time too.
      s.patchEnvironmentStatus('a', 'ports', { fields: { lastActivity: 'x' } } as never),
      /status\.lastActivity is not written by ports/,
    );
    await assert.rejects(
      s.patchEnvironmentStatus('a', 'dotfiles', {
        conditions: { Ready: { type: 'Ready', status: 'True', reason: 'Ready', message: '' } },
      } as never),
      /condition Ready is not written by dotfiles/,
    );
    await assert.rejects(
      s.patchEnvironmentStatus('a', 'reconciler', { fields: { phase: 'Running' } } as never),
      /status\.phase is not written by reconciler/,
      'the phase is derived, never written',
    );
  });
});

test("the add-ons' parts survive the reconciler writing from a status it read before they changed", async () => {
  await withStore(async (s) => {
    await s.apply(env('a'));
    const ports = new StatusPatcher(s, 'ports');
    const activity = new StatusPatcher(s, 'activity');
    // The reconciler reads the status at the start of a long reconcile...
    const draft = new StatusDraft(s.mustGet('Environment', 'a'), () => new Date());
    // ...meanwhile the add-ons publish theirs...
    ports.patch('a', {
      fields: {
        ports: [{ port: 3000, protocol: 'tcp', source: 'config', state: 'Forwarded', localPort: 3000 }],
      },
    });
    activity.patch('a', {
      fields: { idleStopAt: '2030-01-01T00:00:00.000Z' },
      conditions: {
        Active: {
          type: 'Active',
          status: 'True',
          reason: 'Active',
          message: 'stops after 30m without activity',
        },
      },
    });
    await Promise.all([ports.flush(), activity.flush()]);
    // ...and the reconciler writes its part.
    draft.set('ImageReady', 'False', 'Pulling', 'looking for debian');
    draft.status.lastError = 'pull failed';
    await s.patchEnvironmentStatus('a', 'reconciler', draft.patch(false));
    const status = s.mustGet('Environment', 'a').status;
    assert.equal(status.ports[0]?.localPort, 3000);
    assert.equal(status.idleStopAt, '2030-01-01T00:00:00.000Z');
    assert.equal(status.conditions.find((c) => c.type === 'Active')?.status, 'True');
    assert.equal(status.lastError, 'pull failed');
    assert.equal(status.phase, 'Building', 'the phase follows the conditions');

    activity.patch('a', { fields: { idleStopAt: undefined }, conditions: { Active: null } });
    await activity.flush();
    const cleared = s.mustGet('Environment', 'a').status;
    assert.equal(cleared.idleStopAt, undefined);
    assert.equal(
      cleared.conditions.find((c) => c.type === 'Active'),
      undefined,
    );
    assert.equal(cleared.conditions.find((c) => c.type === 'ImageReady')?.reason, 'Pulling');
  });
});

test('phase and its history are derived by the store after every patch', async () => {
  await withStore(async (s) => {
    await s.apply(env('a'));
    const draft = new StatusDraft(s.mustGet('Environment', 'a'), () => new Date());
    draft.set('ImageReady', 'False', 'PullFailed', 'no registry');
    await s.patchEnvironmentStatus('a', 'reconciler', draft.patch(false));
    draft.set('ImageReady', 'True', 'Pulled', 'debian');
    draft.set('Ready', 'True', 'Ready', 'the environment is ready');
    const stored = await s.patchEnvironmentStatus('a', 'reconciler', draft.patch(true));
    assert.equal(stored?.status.phase, 'Running');
    assert.equal(stored?.status.observedGeneration, 1);
    assert.deepEqual(
      stored?.status.history.map((h) => [h.phase, h.reason]),
      [
        ['Failed', 'PullFailed'],
        ['Running', undefined],
      ],
    );
  });
});

test('secret values are scrubbed once, where any writer’s status is stored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'devrig-status-'));
  const s = await ResourceStore.open(dir, { redact: redactor(['top-secret-value']) });
  try {
    await s.apply(env('a'));
    const draft = new StatusDraft(s.mustGet('Environment', 'a'), () => new Date());
    draft.set('LifecycleComplete', 'False', 'PostCreateCommandFailed', 'echo top-secret-value: exit 1');
    draft.status.lastError = 'postCreateCommand failed: echo top-secret-value';
    await s.patchEnvironmentStatus('a', 'reconciler', draft.patch(true));
    await s.patchEnvironmentStatus('a', 'automations', {
      fields: {
        automations: [
          {
            kind: 'task',
            id: 't',
            name: 't',
            phase: 'Failed',
            message: 'm',
            logTail: 'top-secret-value',
            restarts: 0,
          },
        ],
      },
    });
    const status = s.mustGet('Environment', 'a').status;
    assert.equal(status.lastError, 'postCreateCommand failed: echo ***');
    assert.equal(status.conditions.find((c) => c.type === 'LifecycleComplete')?.message, 'echo ***: exit 1');
    assert.equal(status.automations[0]?.logTail, '***');
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
