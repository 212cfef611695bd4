// What people call an environment: devcontainer.json's `name` when it gives one (the runner reports it
// in status.configName), else the resource name — which stays the id everything else uses. Pure.

import type { Environment } from '../api';

export function displayName(env: Pick<Environment, 'metadata' | 'status'> | undefined, name = ''): string {
  return env?.status.configName || env?.metadata.name || name;
}

/** `My App (my-app)` when the two differ, else the name: for places that must show the id too. */
export function displayWithId(env: Pick<Environment, 'metadata' | 'status'>): string {
  const shown = displayName(env);
  return shown === env.metadata.name ? shown : `${shown} (${env.metadata.name})`;
}
