import { join } from 'node:path';
import type { Environment } from '../api';
import { InactivityController } from '../activity/inactivityController';
import { AutomationsController } from '../automations/automationsController';
import { DotfilesInstaller } from '../dotfiles/dotfilesInstaller';
import type { EnvLogs } from '../logs/envLogs';
import { PortsController } from '../ports/portsController';
import type { ContainerProvider } from '../providers/provider';
import type { EnvironmentHooks } from '../reconcile/environment/environmentReconciler';
import type { SecretStore } from '../secrets/secretStore';
import { secretsHandlers } from '../secrets/secretsHandlers';
import type { Handlers } from '../server/handlers';
import type { StatePaths } from '../state/stateDir';
import type { ResourceStore } from '../store/resourceStore';
import { StatusOverlay } from './statusOverlay';

/** What the add-ons need from the runner. */
export interface AddonsHost {
  paths: StatePaths;
  store: ResourceStore;
  logs: EnvLogs;
  secrets: SecretStore;
  hooks: EnvironmentHooks;
  extraHandlers: Partial<Handlers>;
  providerFor(env: Environment): Promise<ContainerProvider | undefined>;
  /** remoteEnv, spec.env and secrets: what commands run in the environment get. */
  commandEnv(env: Environment): Record<string, string>;
  onActivity(listener: (name: string) => void): void;
  notifyActivity(name: string): void;
  addCloser(fn: () => void | Promise<void>): void;
  log(msg: string): void;
  /** An inactivity timeout for environments that set none (e.g. on remote hosts). */
  defaultInactivity?(env: Environment): string | undefined;
}

/**
 * What makes an environment ready to code beyond a running container: dotfiles, automations,
 * runner-held ports, inactivity timeouts and secrets. Plugs into the environment reconciler's
 * hooks and the API, and writes the status parts it owns through one StatusOverlay.
 */
export function attachAddons(h: AddonsHost): void {
  const overlay = new StatusOverlay(h.store, h.secrets.redact, undefined, h.log);
  const commandEnv = async (env: Environment) => h.commandEnv(env);
  const dotfiles = new DotfilesInstaller({
    configPath: h.paths.config,
    cacheDir: join(h.paths.root, 'dotfiles'),
    logs: h.logs,
    overlay,
    providerFor: h.providerFor,
    commandEnv,
    log: h.log,
  });
  const inactivity = new InactivityController({
    store: h.store,
    overlay,
    logs: h.logs,
    log: h.log,
    defaultTimeout: h.defaultInactivity,
  });
  const ports = new PortsController({
    overlay,
    providerFor: h.providerFor,
    notifyActivity: h.notifyActivity,
    log: h.log,
  });
  const automations = new AutomationsController({
    store: h.store,
    logs: h.logs,
    overlay,
    providerFor: h.providerFor,
    commandEnv,
    log: h.log,
  });
  h.onActivity((name) => inactivity.activity(name));

  // Each add-on's failure is logged, never fails the reconcile of the environment.
  const guard = async (what: string, env: Environment, fn: () => Promise<void> | void) => {
    try {
      await fn();
    } catch (e) {
      h.log(`${what}: ${env.metadata.name}: ${(e as Error).message}`);
    }
  };
  const previous = { ...h.hooks };
  // Dotfiles before Ready: shells and automations should find them in place.
  h.hooks.prepare = async (env, containerId, status) => {
    await previous.prepare?.(env, containerId, status);
    await guard('dotfiles', env, () => dotfiles.prepare(env, containerId, status));
  };
  h.hooks.ready = async (env, containerId, resolved, status) => {
    await previous.ready?.(env, containerId, resolved, status);
    await guard('inactivity', env, () => inactivity.ready(env, status));
    await guard('ports', env, () => ports.ready(env, containerId, resolved, status));
    await guard('automations', env, () => automations.ready(env, containerId, status));
  };
  h.hooks.beforeStop = async (env, containerId) => {
    await previous.beforeStop?.(env, containerId);
    await guard('automations', env, () => automations.beforeStop(env, containerId));
    await guard('ports', env, () => ports.stopped(env));
  };
  h.hooks.stopped = async (env) => {
    await previous.stopped?.(env);
    await guard('automations', env, () => automations.stopped(env));
    await guard('ports', env, () => ports.stopped(env));
    await guard('inactivity', env, () => inactivity.stopped(env));
    dotfiles.forget(env.status.containerId);
    if (env.metadata.deletionTimestamp) overlay.forget(env.metadata.name);
  };
  h.hooks.overlayStatus = (env, status) => {
    previous.overlayStatus?.(env, status);
    overlay.apply(env.metadata.name, status, env.metadata.generation);
  };

  Object.assign(h.extraHandlers, automations.handlers(), secretsHandlers(h.secrets));
  h.addCloser(async () => {
    automations.close();
    ports.close();
    inactivity.close();
    await overlay.flush();
  });
}
