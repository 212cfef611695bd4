// Start/stop/restart/rebuild change the desired state (spec.state and the opaque restart/rebuild
// tokens) with a read-modify-write on resourceVersion, retried on Conflict — like `devrig start`.

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

/** Applies `verb`; returns the environment as applied (its generation is what to wait for). */
export async function applyLifecycle(
  client: Pick<RunnerClient, 'call'>,
  name: string,
  verb: LifecycleVerb,
  now: () => Date = () => new Date(),
): Promise<Environment> {
  for (let attempt = 0; ; attempt++) {
    const cur = await client.call('get', { kind: 'Environment', name });
    if (cur.kind !== 'Environment') throw new ApiError('BadRequest', `${name} is not an environment`);
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
      if (e instanceof ApiError && e.code === 'Conflict' && attempt < 4) continue;
      throw e;
    }
  }
}
