import { basename, posix } from 'node:path';
import type { DotfilesConfig, Environment, EnvironmentStatus } from '../api';
import { RunnerConfigReader } from '../config/runnerConfigFile';
import type { EnvLogs } from '../logs/envLogs';
import type { ContainerProvider } from '../providers/provider';
import type { StatusPartSink } from '../store/statusPatcher';
import { execLines, execOutput } from '../reconcile/environment/execLines';
import { readMarkers, writeMarkers } from '../reconcile/environment/markers';
import { tarFolder } from '../reconcile/environment/tarFolder';
import { dotfilesSource, fetchDotfiles } from './dotfilesSource';
import { installCommand, targetFolder } from './installScript';

export interface DotfilesDeps {
  /** The runner's config file (dotfiles settings). */
  configPath: string;
  /** Where git repositories are cloned on this machine. */
  cacheDir: string;
  logs: EnvLogs;
  /** Where DotfilesInstalled goes. */
  status: StatusPartSink<'dotfiles'>;
  providerFor(env: Environment): Promise<ContainerProvider | undefined>;
  commandEnv(env: Environment): Promise<Record<string, string>>;
  log(msg: string): void;
}

const MARKER = 'dotfiles';
const CLONE_TIMEOUT_MS = 120_000;
const INSTALL_TIMEOUT_MS = 300_000;

/**
 * Puts the user's dotfiles into each new container once (a marker in the container remembers),
 * after the lifecycle commands and before the environment is reported Ready. A failure is
 * reported in DotfilesInstalled and logged, never fails the environment, and is not retried in
 * the same container.
 */
export class DotfilesInstaller {
  /** Containers already looked at by this runner: no marker read on every reconcile. */
  private readonly checked = new Set<string>();
  /** Environments told there are no dotfiles (DotfilesInstalled removed): not told again. */
  private readonly toldNone = new Set<string>();
  /** The config file, parsed again only when it changed. */
  private readonly config: RunnerConfigReader;

  constructor(private readonly deps: DotfilesDeps) {
    this.config = new RunnerConfigReader(deps.configPath);
  }

  async prepare(env: Environment, containerId: string, status: EnvironmentStatus): Promise<void> {
    if (this.checked.has(containerId)) return;
    const name = env.metadata.name;
    let config: DotfilesConfig | undefined;
    try {
      config = (await this.config.read()).dotfiles;
    } catch (e) {
      this.deps.log(`dotfiles: ${(e as Error).message}`);
      return;
    }
    if (!config) {
      // Nothing configured (any more): nothing to report.
      if (!this.toldNone.has(name)) this.deps.status.patch(name, { conditions: { DotfilesInstalled: null } });
      this.toldNone.add(name);
      return;
    }
    this.toldNone.delete(name);
    const provider = await this.deps.providerFor(env);
    if (!provider) return;
    const markers = await readMarkers(provider, containerId);
    if (markers[MARKER]) {
      this.checked.add(containerId);
      return;
    }
    const log = this.deps.logs.writer(name, 'dotfiles');
    const user = status.remoteUser ?? 'root';
    this.deps.status.patch(name, {
      conditions: {
        DotfilesInstalled: {
          type: 'DotfilesInstalled',
          status: 'False',
          reason: 'Installing',
          message: `installing ${config.repository}`,
        },
      },
    });
    let result: { ok: boolean; message: string };
    try {
      result = { ok: true, message: await this.install(env, provider, containerId, user, config, log) };
    } catch (e) {
      result = { ok: false, message: (e as Error).message };
      log(`Failed: ${result.message}`);
    }
    await writeMarkers(provider, containerId, {
      [MARKER]: JSON.stringify({
        repository: config.repository,
        ok: result.ok,
        at: new Date().toISOString(),
      }),
    });
    this.checked.add(containerId);
    this.deps.status.patch(name, {
      conditions: {
        DotfilesInstalled: {
          type: 'DotfilesInstalled',
          status: result.ok ? 'True' : 'False',
          reason: result.ok ? 'Installed' : 'InstallFailed',
          message: result.message,
        },
      },
    });
  }

  /** Forgets containers of an environment that stopped (a new start may be a new container). */
  forget(containerId: string | undefined): void {
    if (containerId) this.checked.delete(containerId);
  }

  private async install(
    env: Environment,
    provider: ContainerProvider,
    containerId: string,
    user: string,
    config: DotfilesConfig,
    log: (line: string) => void,
  ): Promise<string> {
    const source = dotfilesSource(config.repository);
    const folder = await fetchDotfiles(
      source,
      this.deps.cacheDir,
      log,
      AbortSignal.timeout(CLONE_TIMEOUT_MS),
    );
    const home = await execOutput(provider, containerId, ['/bin/sh', '-c', 'printf %s "$HOME"'], user);
    if (home.code !== 0 || !home.stdout.startsWith('/'))
      throw new Error(`cannot find the home folder of ${user}`);
    const target = targetFolder(config.targetPath, home.stdout);
    log(`Copying ${source.kind === 'git' ? source.url : source.path} to ${target}`);
    await provider.putArchive(containerId, posix.dirname(target), tarFolder(folder, basename(target)));
    const chown = await execOutput(provider, containerId, ['chown', '-R', `${user}:`, target]);
    if (chown.code !== 0) throw new Error(`cannot give ${target} to ${user}: ${chown.stderr.trim()}`);
    let what = '';
    const r = await execLines(
      provider,
      containerId,
      {
        cmd: installCommand(target, config.installCommand),
        user,
        workdir: target,
        env: await this.deps.commandEnv(env),
      },
      (line) => {
        what ||= line;
        log(line);
      },
      AbortSignal.timeout(INSTALL_TIMEOUT_MS),
    );
    if (r.code !== 0) {
      const last = r.tail
        .filter((l) => l.trim())
        .slice(-3)
        .join(' | ');
      throw new Error(
        `${what || 'the install'} exited with code ${r.code ?? 'unknown'}${last ? `: ${last}` : ''}`,
      );
    }
    log('Done');
    return `${config.repository} in ${target}${what ? `: ${what}` : ''}`;
  }
}
