import type { Environment, EnvironmentStatus } from '../../api';
import type { ResolvedDevcontainer } from '../../devcontainer';

/**
 * What add-ons (dotfiles, ports, automations, activity) do at points of an environment's life. The
 * runner composes one of these from the add-ons' own, in order (runner/addons); the reconciler
 * calls it and knows no add-on.
 */
export interface EnvironmentHooks {
  /** After the lifecycle commands, before Ready is reported: what must be in place to code (dotfiles). */
  prepare(env: Environment, containerId: string, status: EnvironmentStatus): Promise<void>;
  /** After the environment became (or stayed) Ready and that was stored; `status` is as stored. */
  ready(
    env: Environment,
    containerId: string,
    resolved: ResolvedDevcontainer,
    status: EnvironmentStatus,
  ): Promise<void>;
  /** Before the container is stopped or removed. */
  beforeStop(env: Environment, containerId: string): Promise<void>;
  /** After the environment was stopped or deleted. */
  stopped(env: Environment): Promise<void>;
}

/** Hooks that do nothing: an environment with no add-ons (tests, a bare runner). */
export const NO_HOOKS: EnvironmentHooks = {
  prepare: async () => {},
  ready: async () => {},
  beforeStop: async () => {},
  stopped: async () => {},
};
