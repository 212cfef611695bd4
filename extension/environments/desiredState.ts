// Start/stop/restart/rebuild change the desired state (spec.state and the opaque restart/rebuild
// tokens) with a read-modify-write on resourceVersion, retried on Conflict — like `devrig start`. The
// read is usually the watch cache's copy; the runner is asked only when that turns out stale.

import type { Environment } from '../../runner/api';
import type { RunnerClient } from '../../runner/client/runnerClient';
import { specFor, updateEnvironmentSpec, type LifecycleVerb } from '../../runner/client/updateEnvironment';

export { specFor, type LifecycleVerb };

/** What the environment will be once `verb` is done. */
export function targetPhase(verb: LifecycleVerb): 'Running' | 'Stopped' {
  return verb === 'stop' ? 'Stopped' : 'Running';
}

/**
 * Applies `verb`; returns the environment as applied (its generation is what to wait for). Starts from
 * `known` (the watch cache's copy: its spec and resourceVersion) when given, and reads the environment
 * only when that is stale (a Conflict) or missing.
 */
export function applyLifecycle(
  client: Pick<RunnerClient, 'call'>,
  name: string,
  verb: LifecycleVerb,
  opts: { known?: Environment; now?: () => Date } = {},
): Promise<Environment> {
  const now = opts.now ?? (() => new Date());
  return updateEnvironmentSpec(client, name, (cur) => specFor(verb, cur!.spec, now().toISOString()), {
    current: opts.known,
  });
}
