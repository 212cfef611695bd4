// `${localEnv:VAR}` comes from whoever asked for the environment (the shell running `devrig up`, the
// VS Code window), as with the reference CLI, not from the runner, which may have been started from
// another shell or by another window. Clients capture the values of exactly the variables the config
// references into `spec.localEnv` when they apply it; the runner resolves from those. Pure.

/** `${localEnv:NAME}`, `${localEnv:NAME:default}` and the older `${env:NAME}` (see substitute.ts). */
const REFERENCE = /\$\{(?:localEnv|env):([^}:]+)[^}]*\}/g;

/** The variable names `${localEnv:…}` refers to in the strings of `config` (values, not keys), sorted. */
export function localEnvReferences(config: unknown): string[] {
  const names = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const m of value.matchAll(REFERENCE)) names.add(m[1]!);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (typeof value === 'object' && value !== null) Object.values(value).forEach(visit);
  };
  visit(config);
  return [...names].sort();
}

/** The values of `names` that are set in `env` (an unset one resolves to its default, then ''). */
export function pickLocalEnv(names: readonly string[], env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = env[n];
    if (v !== undefined) out[n] = v;
  }
  return out;
}

/**
 * What `${localEnv:…}` resolves from for an environment: the values its client captured when it was
 * applied; without any (written by hand, a git source, an older client) the runner's own
 * environment, as before.
 */
export function localEnvFor(
  spec: { localEnv?: Record<string, string> },
  runnerEnv: Record<string, string | undefined> = process.env,
): Record<string, string | undefined> {
  return spec.localEnv ?? runnerEnv;
}
