import type { Environment } from '../../api';
import type { EnvLogs } from '../../logs/envLogs';
import type { ContainerProvider } from '../../providers/provider';
import { runHook } from './lifecycle';
import { environmentProcessEnv } from './processEnv';
import { sessionEnv } from './remoteEnv';
import { UserEnvs } from './userEnvs';
import type { ResolvedConfigs } from './steps/configStep';

/** What sessions need to know about a running environment (gateway, terminals, exec API). */
export interface SessionTarget {
  provider: ContainerProvider;
  containerId: string;
  user: string;
  workspaceFolder: string;
  env: Record<string, string>;
}

export interface SessionDeps {
  providerFor(env: Environment): Promise<ContainerProvider | undefined> | ContainerProvider | undefined;
  /** What the config step last resolved, by environment name (remoteEnv, postAttachCommand). */
  configs: ResolvedConfigs;
  /** The secrets an environment's processes get. */
  secrets?(env: Environment): Record<string, string>;
  logs: EnvLogs;
  /** The users' environments as probed (userEnvProbe), shared with the reconciler. */
  userEnvs?: UserEnvs;
}

/**
 * Session lookups: where a session into an environment goes (the container the reconciler
 * reported, the remote user, the workspace folder) and what its processes get, from the stored
 * status and the last resolved configuration. The SSH gateway, the exec API, the add-ons' commands
 * and the lifecycle step all take the process environment from here.
 */
export class EnvironmentSessions {
  readonly userEnvs: UserEnvs;

  constructor(private readonly deps: SessionDeps) {
    this.userEnvs = deps.userEnvs ?? new UserEnvs();
  }

  /**
   * What commands run in the environment get: the user's probed environment, remoteEnv (as last
   * resolved, `${containerEnv:…}` read from the container), spec.env and secrets.
   */
  commandEnv(env: Environment): Record<string, string> {
    const resolved = this.deps.configs.get(env.metadata.name);
    const user = this.userEnvs.get(env.metadata.name, env.status.containerId);
    const remote = sessionEnv({
      probed: user?.probed ?? {},
      remoteEnv: resolved?.remoteEnv ?? {},
      remoteEnvUnset: resolved?.remoteEnvUnset ?? [],
      containerEnv: user?.containerEnv ?? {},
    });
    return environmentProcessEnv(remote, env, this.deps.secrets?.(env));
  }

  /** Where sessions for a Ready environment go, with the user, folder and env they get. */
  async sessionTarget(env: Environment): Promise<SessionTarget | undefined> {
    const provider = await this.deps.providerFor(env);
    const id = env.status.containerId;
    if (!provider || !id) return undefined;
    if (!this.userEnvs.get(env.metadata.name, id)) {
      // Not probed by this runner yet (it restarted): the probe's result is read back from the container.
      const container = await provider.inspectContainer(id).catch(() => undefined);
      if (container?.running) {
        await this.userEnvs
          .ensure(env.metadata.name, provider, container, {
            user: env.status.remoteUser ?? 'root',
            probe: this.deps.configs.get(env.metadata.name)?.userEnvProbe,
          })
          .catch(() => undefined);
      }
    }
    return {
      provider,
      containerId: id,
      user: env.status.remoteUser ?? 'root',
      workspaceFolder: env.status.workspaceFolder ?? '/',
      env: this.commandEnv(env),
    };
  }

  /**
   * postAttachCommand: run each time a tool attaches (an interactive SSH shell, a VS Code
   * terminal or window), as the remote user in the workspace; output goes to the log.
   */
  async postAttach(env: Environment): Promise<void> {
    const commands = this.deps.configs.get(env.metadata.name)?.lifecycle.postAttachCommand ?? [];
    if (commands.length === 0) return;
    const target = await this.sessionTarget(env);
    if (!target) return;
    await runHook(target.provider, target.containerId, 'postAttachCommand', commands, {
      user: target.user,
      workdir: target.workspaceFolder,
      env: target.env,
      log: this.deps.logs.writer(env.metadata.name),
    });
  }
}
