import { ApiError } from '../api/apiError';
import type { Environment, EnvironmentSpec, EnvironmentSpecInput } from '../api/environment';
import { NAME_PATTERN, NAME_RULE } from '../api/names';
import type { RunnerClient } from './runnerClient';

export interface UpdateEnvironmentOptions {
  /** Create the environment when there is none (`mutate` then gets undefined); else NotFound. */
  create?: boolean;
  /** How many times to read again and retry after a Conflict. Default 4. */
  retries?: number;
  /**
   * The environment as the caller just read it (null: it had none), used for the first attempt
   * instead of reading it again; a Conflict still reads afresh.
   */
  current?: Environment | null;
}

/**
 * Changes an environment's spec without losing anyone else's change: reads it, applies
 * `mutate(current)` with the resourceVersion read, and when the runner answers Conflict (someone
 * wrote in between) reads again and re-applies `mutate` to the new object, up to `retries` times.
 * `mutate` may run more than once and must build its result from the object it is given.
 * Returns the environment as applied (its generation is what to wait for).
 *
 * Creating has no version to check: two callers creating the same name at once both succeed,
 * the later spec winning.
 */
export async function updateEnvironmentSpec(
  client: Pick<RunnerClient, 'call'>,
  name: string,
  mutate: (current: Environment | undefined) => EnvironmentSpecInput,
  opts: UpdateEnvironmentOptions = {},
): Promise<Environment> {
  // Said as apply says it (a get would only complain about its own parameter).
  if (!NAME_PATTERN.test(name)) {
    throw new ApiError('Invalid', `the environment is invalid: metadata.name: ${NAME_RULE}`, [
      { path: 'metadata.name', message: NAME_RULE },
    ]);
  }
  const retries = opts.retries ?? 4;
  for (let attempt = 0; ; attempt++) {
    const current =
      attempt === 0 && opts.current !== undefined
        ? (opts.current ?? undefined)
        : await getEnvironment(client, name, opts.create === true);
    if (current?.metadata.deletionTimestamp) {
      throw new ApiError('Conflict', `environment "${name}" is being deleted`);
    }
    try {
      const applied = await client.call('apply', {
        resource: {
          kind: 'Environment',
          metadata: current ? { name, resourceVersion: current.metadata.resourceVersion } : { name },
          spec: mutate(current),
        },
      });
      if (applied.kind !== 'Environment') throw new ApiError('Internal', `apply returned a ${applied.kind}`);
      return applied;
    } catch (e) {
      const retry =
        e instanceof ApiError &&
        (e.code === 'Conflict' || (e.code === 'NotFound' && current !== undefined && opts.create === true));
      // NotFound: it was removed since we read it; create it then.
      if (retry && attempt < retries) continue;
      throw e;
    }
  }
}

async function getEnvironment(
  client: Pick<RunnerClient, 'call'>,
  name: string,
  mayBeMissing: boolean,
): Promise<Environment | undefined> {
  try {
    const r = await client.call('get', { kind: 'Environment', name });
    if (r.kind !== 'Environment') throw new ApiError('BadRequest', `${name} is not an environment`);
    return r;
  } catch (e) {
    if (mayBeMissing && e instanceof ApiError && e.code === 'NotFound') return undefined;
    throw e;
  }
}

export type LifecycleVerb = 'start' | 'stop' | 'restart' | 'rebuild';

export type LifecycleOptions = {
  /** rebuild: resolve the Features' tags afresh and rewrite devcontainer-lock.json (not frozen then). */
  updateFeatures?: boolean;
  /** Freeze the Features to devcontainer-lock.json (true) or not (false); undefined leaves it as it is. */
  frozenLockfile?: boolean;
};

/** The spec's Features part with `options` applied; undefined when nothing is left in it. */
function featuresFor(spec: EnvironmentSpec, token: string, options: LifecycleOptions) {
  const features = { ...spec.features };
  if (options.frozenLockfile !== undefined) features.frozenLockfile = options.frozenLockfile || undefined;
  if (options.updateFeatures) {
    features.update = token;
    delete features.frozenLockfile;
  }
  return Object.values(features).some((v) => v !== undefined) ? features : undefined;
}

/** The spec after `verb`; `token` makes a restart/rebuild request distinct from earlier ones. Pure. */
export function specFor(
  verb: LifecycleVerb,
  spec: EnvironmentSpec,
  token: string,
  options: LifecycleOptions = {},
): EnvironmentSpec {
  const { features: _features, ...rest } = spec;
  const features = featuresFor(
    spec,
    token,
    verb === 'rebuild' ? options : { ...options, updateFeatures: false },
  );
  return {
    ...rest,
    state: verb === 'stop' ? 'Stopped' : 'Running',
    ...(verb === 'restart' ? { restart: token } : {}),
    ...(verb === 'rebuild' ? { rebuild: token } : {}),
    ...(features ? { features } : {}),
  };
}
