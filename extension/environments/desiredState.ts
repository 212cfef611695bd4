// Start/stop/restart/rebuild change the desired state (spec.state and the opaque restart/rebuild
// tokens) with a read-modify-write on resourceVersion, retried on Conflict — like `devrig start`. The
// read is usually the watch cache's copy; the runner is asked only when that turns out stale.

import { ApiError, type Environment, type EnvironmentSpec } from '../../runner/api';
import type { RunnerClient } from '../../runner/client/runnerClient';

export type LifecycleVerb = 'start' | 'stop' | 'restart' | 'rebuild';

/** The spec after `verb`; `token` makes a restart/rebuild request distinct from earlier ones. Pure. */
export function specFor(verb: LifecycleVerb, spec: EnvironmentSpec, token: string): EnvironmentSpec {
  return {
    ...spec,
    state: verb === 'stop' ? 'Stopped' : 'Running',
    ...(verb === 'restart' ? { restart: token } : {}),
    ...(verb === 'rebuild' ? { rebuild: token } : {}),
  };
}

/** What the environment will be once `verb` is done. */
export function targetPhase(verb: LifecycleVerb): 'Running' | 'Stopped' {
  return verb === 'stop' ? 'Stopped' : 'Running';
}

/**
 * Applies `verb`; returns the environment as applied (its generation is what to wait for). Starts from
 * `known` (the watch cache's copy: its spec and resourceVersion) when given, and reads the environment
 * only when that is stale (a Conflict) or missing.
 */
export async function applyLifecycle(
  client: Pick<RunnerClient, 'call'>,
  name: string,
  verb: LifecycleVerb,
  opts: { known?: Environment; now?: () => Date } = {},
): Promise<Environment> {
  const now = opts.now ?? (() => new Date());
  let cur: Environment | undefined = opts.known;
  for (let attempt = 0; ; attempt++) {
    if (!cur) {
      const got = await client.call('get', { kind: 'Environment', name });
      if (got.kind !== 'Environment') throw new ApiError('BadRequest', `${name} is not an environment`);
      cur = got;
    }
    try {
      const applied = await client.call('apply', {
        resource: {
          kind: 'Environment',
          metadata: { name, resourceVersion: cur.metadata.resourceVersion },
          spec: specFor(verb, cur.spec, now().toISOString()),
        },
      });
      if (applied.kind !== 'Environment') throw new ApiError('Internal', `apply returned a ${applied.kind}`);
      return applied;
    } catch (e) {
      if (e instanceof ApiError && e.code === 'Conflict' && attempt < 4) {
        cur = undefined; // read it again
        continue;
      }
      throw e;
    }
  }
}
