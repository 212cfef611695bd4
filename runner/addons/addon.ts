import type { Environment } from '../api';
import type { EnvLogs } from '../logs/envLogs';
import type { ContainerProvider } from '../providers/provider';
import type { EnvironmentHooks } from '../reconcile/environment/hooks';
import type { Handlers, HandlersFor } from '../server/handlers';
import type { ResourceStore } from '../store/resourceStore';

/**
 * A part of the runner beyond the reconciler (dotfiles, activity, ports, automations, secrets): the
 * points of an environment's life it acts at, the API methods it answers, and how it closes. Each
 * add-on's folder exports a function that makes one; runner/addons composes them in a fixed order.
 */
export interface Addon<M extends keyof Handlers = never> {
  readonly name: string;
  readonly hooks: Partial<EnvironmentHooks>;
  readonly handlers: HandlersFor<M>;
  /** Someone used environment `name` (an exec, SSH traffic, a forwarded port). */
  activity?(name: string): void;
  /** The runner stops: timers and watchers end, pending status is written. */
  close?(): void | Promise<void>;
}

/** What add-ons get from the runner. */
export interface AddonDeps {
  store: ResourceStore;
  logs: EnvLogs;
  providerFor(env: Environment): Promise<ContainerProvider | undefined>;
  /** remoteEnv, spec.env and secrets: what commands run in the environment get. */
  commandEnv(env: Environment): Promise<Record<string, string>>;
  log(msg: string): void;
}

type HookName = keyof EnvironmentHooks;

/**
 * One EnvironmentHooks from the add-ons' own, in order: what starts (prepare, ready) in list order,
 * what stops (beforeStop, stopped) in reverse, so the last started is the first stopped. Each
 * add-on's failure is logged, never fails the reconcile of the environment.
 */
export function composeHooks(
  addons: readonly Pick<Addon<keyof Handlers>, 'name' | 'hooks'>[],
  log: (msg: string) => void,
): EnvironmentHooks {
  const run = async <H extends HookName>(
    hook: H,
    order: readonly Pick<Addon<keyof Handlers>, 'name' | 'hooks'>[],
    env: Environment,
    call: (fn: EnvironmentHooks[H]) => Promise<void>,
  ) => {
    for (const a of order) {
      const fn = a.hooks[hook];
      if (!fn) continue;
      try {
        await call(fn);
      } catch (e) {
        log(`${a.name}: ${env.metadata.name}: ${(e as Error).message}`);
      }
    }
  };
  const backward = [...addons].reverse();
  return {
    prepare: (env, id, status) => run('prepare', addons, env, (fn) => fn(env, id, status)),
    ready: (env, id, resolved, status) => run('ready', addons, env, (fn) => fn(env, id, resolved, status)),
    beforeStop: (env, id) => run('beforeStop', backward, env, (fn) => fn(env, id)),
    stopped: (env) => run('stopped', backward, env, (fn) => fn(env)),
  };
}
