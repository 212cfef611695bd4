// The Features flags of `up` and `rebuild`: the lockfile frozen, or the Features' tags resolved afresh.
import type { LifecycleOptions } from '../client/updateEnvironment';
import { UsageError } from './args';

/** parseArgs options of the Features flags. */
export const FEATURE_OPTIONS = {
  'frozen-lockfile': { type: 'boolean' },
  'update-features': { type: 'boolean' },
} as const;

export const FEATURES_HELP = `  --frozen-lockfile   refuse Features that differ from devcontainer-lock.json (kept in the spec)
  --update-features   (rebuild) resolve the Features' tags afresh and rewrite devcontainer-lock.json`;

export function featureFlags(values: {
  'frozen-lockfile'?: boolean;
  'update-features'?: boolean;
}): LifecycleOptions {
  if (values['frozen-lockfile'] && values['update-features'])
    throw new UsageError('--update-features rewrites the lockfile: it cannot be used with --frozen-lockfile');
  return {
    ...(values['frozen-lockfile'] !== undefined ? { frozenLockfile: values['frozen-lockfile'] } : {}),
    ...(values['update-features'] ? { updateFeatures: true } : {}),
  };
}
