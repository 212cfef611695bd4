// Waits for an environment to get where a command sent it, from the resource cache's watch events (no
// polling). Cancelling stops the waiting, not the runner's work.

import type { Environment } from '../../runner/api';
import type { CacheChange, ResourceCache } from '../runner/resourceCache';
import { outcomeFor, type Outcome, type Want } from './outcome';

export type WaitResult =
  | { state: 'done'; env: Environment }
  | { state: 'failed'; env: Environment; message: string; reason: string }
  | { state: 'deleted' }
  | { state: 'cancelled' };

export function waitForEnvironment(opts: {
  cache: ResourceCache;
  name: string;
  generation: number;
  want: Want | 'Deleted';
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}): Promise<WaitResult> {
  const { cache, name, generation, want, signal, onProgress } = opts;
  return new Promise((resolve) => {
    let last = '';
    // A just-created environment may not have reached the cache yet: absence counts once it was seen.
    let seen = false;
    const finish = (r: WaitResult) => {
      cache.off('change', onChange);
      signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const check = () => {
      const env = cache.environment(name);
      if (!env) {
        // Only trust absence on a synced cache: a stale one may simply not have seen it yet.
        if (cache.synced && (seen || want === 'Deleted')) finish({ state: 'deleted' });
        return;
      }
      seen = true;
      if (want === 'Deleted') {
        report(env.status.phase);
        return;
      }
      const o: Outcome = outcomeFor(env, generation, want);
      if (o.state === 'done') finish({ state: 'done', env });
      else if (o.state === 'failed')
        finish({ state: 'failed', env, message: o.message, reason: o.condition?.reason ?? 'Failed' });
      else report(o.message);
    };
    const report = (message: string) => {
      if (message !== last) onProgress?.((last = message));
    };
    const onChange = (c: CacheChange) => {
      if (c.type === 'synced' || ('resource' in c && c.resource.metadata.name === name)) check();
    };
    const onAbort = () => finish({ state: 'cancelled' });
    if (signal?.aborted) return resolve({ state: 'cancelled' });
    cache.on('change', onChange);
    signal?.addEventListener('abort', onAbort, { once: true });
    check();
  });
}
