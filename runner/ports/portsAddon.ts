import type { Addon, AddonDeps } from '../addons/addon';
import { StatusPatcher } from '../store/statusPatcher';
import { PortsController } from './portsController';

/** Ports: forwards held by the runner while an environment runs (status.ports). */
export function portsAddon(deps: AddonDeps & { notifyActivity(name: string): void }): Addon {
  const status = new StatusPatcher(deps.store, 'ports', deps.log);
  const ports = new PortsController({
    status,
    providerFor: deps.providerFor,
    notifyActivity: deps.notifyActivity,
    log: deps.log,
  });
  return {
    name: 'ports',
    hooks: {
      ready: (env, containerId, resolved, s) => ports.ready(env, containerId, resolved, s),
      beforeStop: async (env) => {
        await ports.stopped(env);
        await status.flush();
      },
      stopped: async (env) => {
        await ports.stopped(env);
        if (env.metadata.deletionTimestamp) status.forget(env.metadata.name);
        // Stored before the reconciler's own write that says Stopped (or the object goes).
        await status.flush();
      },
    },
    handlers: {},
    activity: (name) => ports.activity(name),
    close: async () => {
      ports.close();
      await status.flush();
    },
  };
}
