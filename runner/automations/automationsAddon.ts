import type { Addon, AddonDeps } from '../addons/addon';
import type { AutomationsMethod } from '../server/handlers';
import { StatusPatcher } from '../store/statusPatcher';
import { AutomationsController } from './automationsController';

/** Automations: services and tasks started once Ready, stopped before the container stops; automations.* API. */
export function automationsAddon(deps: AddonDeps): Addon<AutomationsMethod> {
  const status = new StatusPatcher(deps.store, 'automations', deps.log);
  const automations = new AutomationsController({ ...deps, status });
  return {
    name: 'automations',
    hooks: {
      ready: (env, containerId, _resolved, s) => automations.ready(env, containerId, s),
      beforeStop: async (env, containerId) => {
        await automations.beforeStop(env, containerId);
        await status.flush();
      },
      stopped: async (env) => {
        await automations.stopped(env);
        if (env.metadata.deletionTimestamp) status.forget(env.metadata.name);
        // Stored before the reconciler's own write that says Stopped (or the object goes).
        await status.flush();
      },
    },
    handlers: automations.handlers(),
    close: async () => {
      automations.close();
      await status.flush();
    },
  };
}
