import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Environment } from '../../../../runner/api';
import { composeHooks } from '../../../../runner/addons/addon';
import type { EnvironmentHooks } from '../../../../runner/reconcile/environment/hooks';

const env = { metadata: { name: 'web' } } as Environment;

test('composeHooks: what starts runs in order, what stops in reverse; a failing add-on is logged and the rest still run', async () => {
  const calls: string[] = [];
  const logged: string[] = [];
  const addon = (name: string, fail?: keyof EnvironmentHooks) => ({
    name,
    hooks: {
      prepare: async () => void calls.push(`${name}.prepare`),
      ready: async () => {
        calls.push(`${name}.ready`);
        if (fail === 'ready') throw new Error('boom');
      },
      beforeStop: async () => void calls.push(`${name}.beforeStop`),
      stopped: async () => void calls.push(`${name}.stopped`),
    } satisfies Partial<EnvironmentHooks>,
  });
  const hooks = composeHooks(
    [addon('dotfiles'), { name: 'quiet', hooks: {} }, addon('ports', 'ready'), addon('automations')],
    (m) => logged.push(m),
  );
  await hooks.prepare(env, 'c1', {} as Environment['status']);
  await hooks.ready(env, 'c1', {} as never, {} as Environment['status']);
  await hooks.beforeStop(env, 'c1');
  await hooks.stopped(env);
  assert.deepEqual(calls, [
    'dotfiles.prepare',
    'ports.prepare',
    'automations.prepare',
    'dotfiles.ready',
    'ports.ready',
    'automations.ready',
    'automations.beforeStop',
    'ports.beforeStop',
    'dotfiles.beforeStop',
    'automations.stopped',
    'ports.stopped',
    'dotfiles.stopped',
  ]);
  assert.deepEqual(logged, ['ports: web: boom']);
});
