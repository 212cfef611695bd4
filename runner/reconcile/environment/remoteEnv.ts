import { substituteString } from '../../devcontainer';

export interface SessionEnvInput {
  /** The user's environment as probed from their shell (userEnvProbe); {} when not probed. */
  probed: Readonly<Record<string, string>>;
  /** remoteEnv as resolved from devcontainer.json (`${localEnv:…}` already substituted). */
  remoteEnv: Readonly<Record<string, string>>;
  /** remoteEnv variables set to null: removed from what sessions get. */
  remoteEnvUnset?: readonly string[];
  /** The container's own environment (what `docker inspect` shows), for `${containerEnv:…}`. */
  containerEnv: Readonly<Record<string, string>>;
}

/**
 * What sessions, lifecycle hooks and terminals get from devcontainer.json: the probed user
 * environment, then remoteEnv over it with `${containerEnv:VAR}` read from the container's
 * environment (not the probed one, as the reference does), then the unset ones removed. Variables
 * that are not known stay as written. Pure.
 */
export function sessionEnv(input: SessionEnvInput): Record<string, string> {
  const ctx = {
    localWorkspaceFolder: '',
    localEnv: {},
    containerEnv: input.containerEnv,
    devcontainerId: '',
  };
  const out: Record<string, string> = { ...input.probed };
  for (const [name, value] of Object.entries(input.remoteEnv)) {
    out[name] = value.replace(/\$\{containerEnv:[^}]*\}/g, (ref) => substituteString(ref, ctx));
  }
  for (const name of input.remoteEnvUnset ?? []) delete out[name];
  return out;
}
