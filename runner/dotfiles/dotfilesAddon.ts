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
      prepare: (env, containerId, s) => installer.prepare(env, containerId, s),
      stopped: async (env) => {
        installer.forget(env.status.containerId);
        if (env.metadata.deletionTimestamp) status.forget(env.metadata.name);
      },
    },
    handlers: {},
    close: () => status.flush(),
  };
}
