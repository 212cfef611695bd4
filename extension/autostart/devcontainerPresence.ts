// Whether a folder has a devcontainer config (the same places `devrig up` and the Dev Containers spec look).

import { findDevcontainerConfigs } from '../../runner/devcontainer/find';

/** The configs in `folder`, preferred first; empty when there are none or the folder cannot be read. */
export async function devcontainerConfigsIn(folder: string): Promise<string[]> {
  try {
    return await findDevcontainerConfigs(folder);
  } catch {
    return [];
  }
}
