import type { Environment } from '../api';
import type { Addon, AddonDeps } from '../addons/addon';
import { StatusPatcher } from '../store/statusPatcher';
import { InactivityController } from './inactivityController';

/** Activity: lastActivity, and an inactivity timeout that stops an idle environment (Active). */
export function activityAddon(
  deps: AddonDeps & { defaultTimeout?(env: Environment): string | undefined },
): Addon {
  const status = new StatusPatcher(deps.store, 'activity', deps.log);
  const inactivity = new InactivityController({
    store: deps.store,
    status,
    logs: deps.logs,
    log: deps.log,
    defaultTimeout: deps.defaultTimeout,
  });
  return {
    name: 'inactivity',
    hooks: {
      ready: async (env, _containerId, _resolved, s) => inactivity.ready(env, s),
      stopped: async (env) => {
        inactivity.stopped(env);
        if (env.metadata.deletionTimestamp) status.forget(env.metadata.name);
        // Stored before the reconciler's own write that says Stopped (or the object goes).
        await status.flush();
      },
    },
    handlers: {},
    activity: (name) => inactivity.activity(name),
    close: async () => {
      inactivity.close();
      await status.flush();
    },
  };
}
