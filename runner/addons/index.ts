import { join } from 'node:path';
import type { Environment } from '../api';
import { activityAddon } from '../activity/activityAddon';
import { automationsAddon } from '../automations/automationsAddon';
import { dotfilesAddon } from '../dotfiles/dotfilesAddon';
import { portsAddon } from '../ports/portsAddon';
import type { EnvironmentHooks } from '../reconcile/environment/hooks';
import type { SecretStore } from '../secrets/secretStore';
import { secretsAddon } from '../secrets/secretsAddon';
import { statsAddon } from '../stats/statsAddon';
import type { AutomationsMethod, HandlersFor, SecretsMethod, StatsMethod } from '../server/handlers';
import type { StatePaths } from '../state/stateDir';
import { composeHooks, type AddonDeps } from './addon';

/** What the add-ons need from the runner. */
export interface AddonsHost extends AddonDeps {
  paths: StatePaths;
  secrets: SecretStore;
  /** Traffic through a forwarded port counts as activity. */
  notifyActivity(name: string): void;
  /** An inactivity timeout for environments that set none (e.g. on remote hosts). */
  defaultInactivity?(env: Environment): string | undefined;
}

export interface Addons {
  /** Every add-on's hooks, in order (see composeHooks), for the environment reconciler. */
  hooks: EnvironmentHooks;
  /** The API methods add-ons answer. */
  handlers: HandlersFor<AutomationsMethod | SecretsMethod | StatsMethod>;
  /** Tells the add-ons someone used environment `name`. */
  activity(name: string): void;
  /** Closes them, last first. */
  close(): Promise<void>;
}

/**
 * What makes an environment ready to code beyond a running container, in the order they act:
 * dotfiles (before Ready), inactivity timeouts, runner-held ports, automations (after Ready),
 * secrets, and resource-use samples. Each writes only its own part of the status (runner/api/statusParts.ts).
 */
export function createAddons(h: AddonsHost): Addons {
  const dotfiles = dotfilesAddon({
    ...h,
    configPath: h.paths.config,
    cacheDir: join(h.paths.root, 'dotfiles'),
  });
  const activity = activityAddon({ ...h, defaultTimeout: h.defaultInactivity });
  const ports = portsAddon(h);
  const automations = automationsAddon(h);
  const secrets = secretsAddon(h.secrets);
  const stats = statsAddon(h);
  const all = [dotfiles, activity, ports, automations, secrets, stats];
  return {
    hooks: composeHooks(all, h.log),
    handlers: { ...automations.handlers, ...secrets.handlers, ...stats.handlers },
    activity: (name) => {
      for (const a of all) a.activity?.(name);
    },
    close: async () => {
      for (const a of [...all].reverse()) await a.close?.();
    },
  };
}
