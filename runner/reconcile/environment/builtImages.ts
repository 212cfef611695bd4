import type { Environment } from '../../api';
import { LABELS, type ContainerProvider } from '../../providers/provider';
import type { ResourceStore } from '../../store/resourceStore';

/**
 * At deletion: removes the images devrig built for `env` (found by label), except one another
 * environment still uses. A failure is logged, not thrown: an image left behind must not keep an
 * environment from being deleted.
 */
export async function removeBuiltImages(opts: {
  env: Environment;
  provider: ContainerProvider;
  store: ResourceStore;
  runnerId: string;
  log: (line: string) => void;
}): Promise<void> {
  const { env, provider, store, log } = opts;
  if (!provider.removeImages) return;
  const inUse = new Set(
    store
      .list('Environment')
      .filter((e) => e.metadata.uid !== env.metadata.uid)
      .map((e) => e.status.image),
  );
  try {
    const labels = { [LABELS.runner]: opts.runnerId, [LABELS.environment]: env.metadata.name };
    for (const ref of await provider.removeImages(labels, (ref) => inUse.has(ref)))
      log(`Removed image ${ref}`);
  } catch (e) {
    log(`Removing the images built for it failed (they are left behind): ${(e as Error).message}`);
  }
}
