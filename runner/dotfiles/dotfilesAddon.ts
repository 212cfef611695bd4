import type { Addon, AddonDeps } from '../addons/addon';
import { StatusPatcher } from '../store/statusPatcher';
import { DotfilesInstaller } from './dotfilesInstaller';

/** Dotfiles: the user's dotfiles go into each new container before Ready (DotfilesInstalled). */
export function dotfilesAddon(deps: AddonDeps & { configPath: string; cacheDir: string }): Addon {
  const status = new StatusPatcher(deps.store, 'dotfiles', deps.log);
  const installer = new DotfilesInstaller({ ...deps, status });
  return {
    name: 'dotfiles',
    hooks: {
      // Stored before the reconciler writes Ready: whoever sees Ready sees how the dotfiles went.
      prepare: async (env, containerId, s) => {
        await installer.prepare(env, containerId, s);
        await status.flush();
      },
      stopped: async (env) => {
        installer.forget(env.status.containerId);
        if (env.metadata.deletionTimestamp) status.forget(env.metadata.name);
        await status.flush();
      },
    },
    handlers: {},
    close: () => status.flush(),
  };
}
