import type { Resource } from '../api';
import type { ResourceStore } from '../store/resourceStore';

/** `obj` with `finalizer` among its stored finalizers (added when missing); undefined once it is gone. */
export async function addFinalizer<R extends Resource>(
  store: ResourceStore,
  obj: R,
  finalizer: string,
): Promise<R | undefined> {
  if (obj.metadata.finalizers.includes(finalizer)) return obj;
  const updated = await store.setFinalizers(obj.kind, obj.metadata.name, [
    ...obj.metadata.finalizers,
    finalizer,
  ]);
  return updated?.kind === obj.kind ? (updated as R) : undefined;
}

/** Its clean-up done: the store removes an object being deleted once its last finalizer goes. */
export async function removeFinalizer(store: ResourceStore, obj: Resource, finalizer: string): Promise<void> {
  await store.setFinalizers(
    obj.kind,
    obj.metadata.name,
    obj.metadata.finalizers.filter((f) => f !== finalizer),
  );
}

/** Several finalizers' clean-up done at once (one write). */
export async function removeFinalizers(
  store: ResourceStore,
  obj: Resource,
  finalizers: string[],
): Promise<void> {
  const current = store.get(obj.kind, obj.metadata.name)?.metadata.finalizers ?? obj.metadata.finalizers;
  await store.setFinalizers(
    obj.kind,
    obj.metadata.name,
    current.filter((f) => !finalizers.includes(f)),
  );
}
