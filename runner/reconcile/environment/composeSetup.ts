// What a Compose environment's reconcile needs before it acts: the Compose CLI, the engine endpoint
// (a forwarded socket for a remote host), the user's project as Compose reads it, its name as the
// reference derives it, and the private folder devrig's override lives in.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Environment } from '../../api';
import {
  ComposeCommandError,
  ComposeModelError,
  ComposeProject,
  ComposeUnavailableError,
  composeProjectName,
  findComposeCli,
  readComposeModel,
  readProjectNameInputs,
  type ComposeCli,
  type ComposeModel,
} from '../../compose';
import type { ResolvedCompose } from '../../devcontainer';
import type { ContainerProvider } from '../../providers/provider';
import { stableHash } from '../../util/stableHash';
import { cloneDir } from './source';

/** Why a Compose environment cannot go on; the step reports it in ContainerRunning (or ConfigValid). */
export type ComposeFailure =
  | 'ComposeNotFound'
  | 'ComposeUnsupported'
  | 'EngineRequired'
  | 'ProjectInUse'
  | 'ComposeFailed'
  | 'ConfigInvalid';

export class ComposeStepError extends Error {
  constructor(
    readonly reason: ComposeFailure,
    message: string,
    /** Retried only once something changes (the spec, the config): a plain host stays plain. */
    readonly terminal: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ComposeStepError';
  }
}

export interface ComposeSetupDeps {
  /** statePaths().compose: one private (0700) folder per environment, by uid. */
  stateDir: string;
  sourcesDir: string;
  /** Docker Compose v2, found once per runner (findComposeCli with the runner config's compose.path). */
  cli(): Promise<ComposeCli>;
}

/** One environment's Compose project, ready for commands. */
export interface OpenProject {
  project: ComposeProject;
  /** The user's project (every profile), without devrig's override. */
  model: ComposeModel;
  name: string;
  files: string[];
  /** The local workspace folder (the source folder, or the clone of a git source). */
  folder: string;
  /** Where this environment's generated files live (0700). */
  stateDir: string;
}

/** What is kept beside the override so a deleted environment's project is found without its config. */
type ProjectRecord = { name: string; files: string[] };

const PROJECT_FILE = 'project.json';

/**
 * Finds Compose once and keeps the answer; a failed search is repeated on the next call (Compose may
 * have been installed meanwhile).
 */
export function memoComposeCli(configured?: () => Promise<string | undefined>): () => Promise<ComposeCli> {
  let found: { path: string | undefined; cli: Promise<ComposeCli> } | undefined;
  return async () => {
    // A changed `compose.path` (devrig config set) is looked at on the next use.
    const path = await configured?.();
    if (!found || found.path !== path)
      found = { path, cli: findComposeCli(path ? { configured: path } : {}) };
    const current = found;
    return current.cli.catch((e: unknown) => {
      if (found === current) found = undefined;
      throw e;
    });
  };
}

/** The folder a Compose environment's generated files live in. */
export function composeStateDir(root: string, env: Environment): string {
  return join(root, env.metadata.uid);
}

/** Stats of the files Compose reads (the Compose files and `.env` files): a change means a new read. */
async function inputsKey(files: readonly string[], folder: string, extra: unknown): Promise<string> {
  const paths = [...files, join(dirname(files[0] ?? folder), '.env'), join(folder, '.env')];
  const stats = await Promise.all(
    paths.map((p) =>
      stat(p).then(
        (s) => [p, s.size, s.mtimeMs],
        () => [p],
      ),
    ),
  );
  return stableHash({ stats, extra });
}

/**
 * Opens environments' Compose projects. The project as Compose reads it is kept while its files
 * (and `.env`) are unchanged, so a resync does not run `compose config` again.
 */
export class ComposeProjects {
  private readonly cache = new Map<string, { key: string; open: OpenProject }>();

  constructor(private readonly deps: ComposeSetupDeps) {}

  /** The folder the environments' private folders are in. */
  get root(): string {
    return this.deps.stateDir;
  }

  /** The engine endpoint for Compose, or EngineRequired for a host without a container engine. */
  async endpoint(provider: ContainerProvider): Promise<string | undefined> {
    if (!provider.engineEndpoint) {
      throw new ComposeStepError(
        'EngineRequired',
        `Compose needs a container engine: host ${provider.name} is a plain host (no Docker); run this environment on a docker-mode host or on this machine`,
        true,
      );
    }
    return (await provider.engineEndpoint()).dockerHost;
  }

  async cli(): Promise<ComposeCli> {
    try {
      return await this.deps.cli();
    } catch (e) {
      if (e instanceof ComposeUnavailableError)
        throw new ComposeStepError(e.reason, e.message, false, { cause: e });
      throw e;
    }
  }

  async open(
    env: Environment,
    provider: ContainerProvider,
    compose: ResolvedCompose,
    signal?: AbortSignal,
  ): Promise<OpenProject> {
    const dockerHost = await this.endpoint(provider);
    const cli = await this.cli();
    const folder = env.spec.source.folder ?? cloneDir(env, this.deps.sourcesDir);
    // Compose interpolates `${VAR}` from its environment: the runner's, with the values the caller sent.
    const processEnv: NodeJS.ProcessEnv = { ...process.env, ...env.spec.localEnv };
    const key = await inputsKey(compose.files, folder, { dockerHost, cli, localEnv: env.spec.localEnv });
    const cached = this.cache.get(env.metadata.uid);
    if (cached?.key === key) return cached.open;
    let model: ComposeModel;
    try {
      model = await readComposeModel(cli, compose.files, { env: processEnv, dockerHost, signal });
    } catch (e) {
      if (e instanceof ComposeCommandError || e instanceof ComposeModelError) {
        throw new ComposeStepError('ConfigInvalid', `${compose.files.join(', ')}: ${e.message}`, true, {
          cause: e,
        });
      }
      throw e;
    }
    const name = composeProjectName(
      await readProjectNameInputs({
        workspaceFolder: folder,
        files: compose.files,
        composeName: model.name,
        env: processEnv,
      }),
    );
    const stateDir = composeStateDir(this.deps.stateDir, env);
    const project = new ComposeProject({
      cli,
      projectName: name,
      files: compose.files,
      stateDir,
      env: processEnv,
      ...(dockerHost ? { dockerHost } : {}),
    });
    await project.useExistingOverride();
    const open: OpenProject = { project, model, name, files: compose.files, folder, stateDir };
    this.cache.set(env.metadata.uid, { key, open });
    return open;
  }

  /** Records the project beside the override (0600), for deletion after the config is gone. */
  async remember(open: OpenProject): Promise<void> {
    const record: ProjectRecord = { name: open.name, files: open.files };
    await writeFile(join(open.stateDir, PROJECT_FILE), JSON.stringify(record), { mode: 0o600 });
  }

  /** The project an environment ran as, from what `remember` wrote; undefined when it never ran. */
  async recall(env: Environment, provider: ContainerProvider): Promise<ComposeProject | undefined> {
    const stateDir = composeStateDir(this.deps.stateDir, env);
    let record: ProjectRecord;
    try {
      record = JSON.parse(await readFile(join(stateDir, PROJECT_FILE), 'utf8')) as ProjectRecord;
    } catch {
      return undefined;
    }
    const dockerHost = await this.endpoint(provider);
    const project = new ComposeProject({
      cli: await this.cli(),
      projectName: record.name,
      files: record.files,
      stateDir,
      env: { ...process.env, ...env.spec.localEnv },
      ...(dockerHost ? { dockerHost } : {}),
    });
    await project.useExistingOverride();
    return project;
  }

  forget(env: Environment): void {
    this.cache.delete(env.metadata.uid);
  }
}
