import { readFile } from 'node:fs/promises';
import { parse } from 'jsonc-parser';
import type { EnvironmentSpecInput } from '../api/environment';
import { resolveDevcontainerConfigPath } from '../devcontainer/find';
import { localEnvReferences, pickLocalEnv } from '../devcontainer/localEnv';

/**
 * The caller's values of exactly the variables `spec`'s devcontainer.json references with
 * `${localEnv:…}`, for `spec.localEnv` (see runner/devcontainer/localEnv.ts). Every client that
 * applies an environment (the CLI's up and apply, the extension with its window's environment)
 * calls this. Undefined when the config cannot be read here: a git source is cloned by the runner,
 * and a config that is missing or broken is the runner's to report.
 */
export async function captureLocalEnv(
  spec: Pick<EnvironmentSpecInput, 'source' | 'devcontainer'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Record<string, string> | undefined> {
  let config: unknown = spec.devcontainer?.config;
  if (config === undefined) {
    const folder = spec.source.folder;
    if (!folder) return undefined;
    try {
      const file = await resolveDevcontainerConfigPath(folder, spec.devcontainer?.path);
      // JSONC, tolerantly: what it references is all we need.
      config = parse(await readFile(file, 'utf8'), [], { allowTrailingComma: true });
    } catch {
      return undefined;
    }
  }
  return pickLocalEnv(localEnvReferences(config), env);
}

/** `spec` with `localEnv` captured from `env` (left as it is when nothing can be captured). */
export async function withLocalEnv<S extends EnvironmentSpecInput>(
  spec: S,
  env: NodeJS.ProcessEnv = process.env,
): Promise<S> {
  const localEnv = await captureLocalEnv(spec, env);
  return localEnv ? { ...spec, localEnv } : spec;
}
