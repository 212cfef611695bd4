import { spawn } from 'node:child_process';
import { access, mkdir, chmod, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { writeFileAtomic } from '../state/privateFile';
import { LineSplitter } from '../util/lines';
import type { ComposeCli } from './composeCli';
import { parseComposeModel, type ComposeModel } from './composeModel';
import { lastLines, runProcess, type ProcessRunner } from './composeProcess';
import type { ComposeOverride } from './override';

/** A Compose command that failed; the message ends with the last lines Compose printed. */
export class ComposeCommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    const tail = lastLines(stderr);
    super(`docker compose ${command} failed (exit code ${exitCode ?? 'unknown'})${tail ? `: ${tail}` : ''}`);
    this.name = 'ComposeCommandError';
  }
}

export interface ComposeProjectOptions {
  cli: ComposeCli;
  projectName: string;
  /** The user's Compose files, absolute, in order. The first one's folder is the project folder. */
  files: readonly string[];
  /** This project's private folder for generated files (created 0700; files in it 0600). */
  stateDir: string;
  /** DOCKER_HOST for an engine behind a forwarded socket (`unix:///…`); else the environment's. */
  dockerHost?: string;
  /** The environment Compose runs with (interpolation reads it); default the runner's. */
  env?: NodeJS.ProcessEnv;
  run?: ProcessRunner;
}

export interface CommandOptions {
  /** Compose's progress output, line by line. */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export type RecreatePolicy = 'never' | 'changed' | 'force';

function composeEnv(base: NodeJS.ProcessEnv | undefined, dockerHost: string | undefined): NodeJS.ProcessEnv {
  const env = { ...(base ?? process.env) };
  if (dockerHost) {
    env.DOCKER_HOST = dockerHost;
    // A context would win over DOCKER_HOST for the docker CLI plugin.
    delete env.DOCKER_CONTEXT;
  }
  return env;
}

/**
 * The user's project as Compose reads it, before any project name is given (so `name` is the one
 * Compose derives or the files set, which the project name derivation needs), every profile included.
 */
export async function readComposeModel(
  cli: ComposeCli,
  files: readonly string[],
  opts: CommandOptions & { env?: NodeJS.ProcessEnv; dockerHost?: string; run?: ProcessRunner } = {},
): Promise<ComposeModel> {
  if (files.length === 0) throw new Error('a Compose project needs at least one file');
  const result = await (opts.run ?? runProcess)(
    cli.command,
    [...cli.args, ...files.flatMap((f) => ['-f', f]), '--profile', '*', 'config', '--format', 'json'],
    {
      env: composeEnv(opts.env, opts.dockerHost),
      cwd: path.dirname(files[0]!),
      log: opts.log,
      signal: opts.signal,
    },
  );
  if (result.code !== 0) throw new ComposeCommandError('config', result.code, result.stderr);
  return parseComposeModel(result.stdout);
}

/** The name of the override file in the state folder. */
export const OVERRIDE_FILE = 'docker-compose.devrig.json';

/**
 * One Compose project, driven through the real Compose CLI: `-p NAME -f <user files> -f <override>`.
 * Reads the effective project, writes devrig's override privately, and runs build / up / stop /
 * start / down / logs. Observation is by labels (see observe.ts), not through this class.
 */
export class ComposeProject {
  readonly overrideFile: string;
  private readonly run: ProcessRunner;
  private hasOverride = false;

  constructor(private readonly opts: ComposeProjectOptions) {
    if (opts.files.length === 0) throw new Error('a Compose project needs at least one file');
    this.overrideFile = path.join(opts.stateDir, OVERRIDE_FILE);
    this.run = opts.run ?? runProcess;
  }

  get name(): string {
    return this.opts.projectName;
  }

  /** Whether commands carry devrig's override (written, or found from before). */
  get usesOverride(): boolean {
    return this.hasOverride;
  }

  private env(): NodeJS.ProcessEnv {
    return composeEnv(this.opts.env, this.opts.dockerHost);
  }

  private fileArgs(withOverride: boolean): string[] {
    const files =
      withOverride && this.hasOverride ? [...this.opts.files, this.overrideFile] : this.opts.files;
    return ['-p', this.opts.projectName, ...files.flatMap((f) => ['-f', f])];
  }

  /** Runs `compose <global args> <args>`; rejects with ComposeCommandError on a non-zero exit. */
  private async compose(globalArgs: string[], args: string[], opts: CommandOptions = {}): Promise<string> {
    const { cli } = this.opts;
    const result = await this.run(cli.command, [...cli.args, ...globalArgs, ...args], {
      env: this.env(),
      cwd: path.dirname(this.opts.files[0]!),
      log: opts.log,
      signal: opts.signal,
    });
    if (result.code !== 0) throw new ComposeCommandError(args[0] ?? '', result.code, result.stderr);
    return result.stdout;
  }

  /**
   * The user's project as Compose sees it (every profile included, as the reference reads it),
   * without devrig's override: which services exist and what they ask for.
   */
  async readConfig(opts: CommandOptions = {}): Promise<ComposeModel> {
    const text = await this.compose(
      [...this.fileArgs(false), '--profile', '*'],
      ['config', '--format', 'json'],
      opts,
    );
    return parseComposeModel(text);
  }

  /** The project with devrig's override applied (what `up` will create). */
  async readEffectiveConfig(opts: CommandOptions = {}): Promise<ComposeModel> {
    return parseComposeModel(await this.compose(this.fileArgs(true), ['config', '--format', 'json'], opts));
  }

  /** Writes the override into the private state folder (0700), itself 0600; later commands use it. */
  async writeOverride(override: ComposeOverride): Promise<string> {
    await mkdir(this.opts.stateDir, { recursive: true, mode: 0o700 });
    if (((await stat(this.opts.stateDir)).mode & 0o077) !== 0) await chmod(this.opts.stateDir, 0o700);
    await writeFileAtomic(this.overrideFile, override.text, 0o600);
    this.hasOverride = true;
    return this.overrideFile;
  }

  /** Uses an override written before (a runner that restarted), when it is still there. */
  async useExistingOverride(): Promise<boolean> {
    this.hasOverride = await access(this.overrideFile).then(
      () => true,
      () => false,
    );
    return this.hasOverride;
  }

  /** Builds the services' images (Compose rebuilds only what changed, from its cache). */
  async build(
    services: readonly string[],
    opts: CommandOptions & { noCache?: boolean; pull?: boolean } = {},
  ): Promise<void> {
    const flags = [...(opts.noCache ? ['--no-cache'] : []), ...(opts.pull ? ['--pull'] : [])];
    await this.compose(this.fileArgs(true), ['build', ...flags, ...services], opts);
  }

  /**
   * Creates and starts `services` (and what they depend on). `never`: existing containers are
   * started as they are, missing ones created (the reference's `--no-recreate`); `changed`: Compose
   * recreates those whose configuration or image changed; `force`: all of them.
   */
  async up(
    services: readonly string[],
    opts: CommandOptions & { recreate?: RecreatePolicy } = {},
  ): Promise<void> {
    const policy = opts.recreate ?? 'never';
    const flags = policy === 'never' ? ['--no-recreate'] : policy === 'force' ? ['--force-recreate'] : [];
    await this.compose(this.fileArgs(true), ['up', '--detach', ...flags, ...services], opts);
  }

  /** Stops every container of the project (or `services`). */
  async stop(
    opts: CommandOptions & { timeoutSeconds?: number; services?: readonly string[] } = {},
  ): Promise<void> {
    const timeout = opts.timeoutSeconds === undefined ? [] : ['--timeout', String(opts.timeoutSeconds)];
    await this.compose(this.fileArgs(true), ['stop', ...timeout, ...(opts.services ?? [])], opts);
  }

  /** Starts existing, stopped containers (creates nothing; `up` does). */
  async start(opts: CommandOptions & { services?: readonly string[] } = {}): Promise<void> {
    await this.compose(this.fileArgs(true), ['start', ...(opts.services ?? [])], opts);
  }

  /**
   * Removes the project's containers and networks. Named volumes of the Compose files are kept unless
   * `volumes` (external ones always are); `removeImages` also removes the images Compose built. Works
   * from the project name alone when the files are gone. Anonymous volumes that a recreate carried
   * over survive even `down --volumes` (Compose mounts them by name): see removeComposeProject.
   */
  async down(opts: CommandOptions & { volumes?: boolean; removeImages?: boolean } = {}): Promise<void> {
    const filesThere = (
      await Promise.all(
        this.opts.files.map((f) =>
          access(f).then(
            () => true,
            () => false,
          ),
        ),
      )
    ).every(Boolean);
    const global = filesThere ? this.fileArgs(true) : ['-p', this.opts.projectName];
    const flags = [...(opts.volumes ? ['--volumes'] : []), ...(opts.removeImages ? ['--rmi', 'local'] : [])];
    await this.compose(global, ['down', '--remove-orphans', ...flags], opts);
  }

  /**
   * A service's log, line by line (`follow` keeps reading until the container stops or `signal`
   * aborts). Lines carry no service prefix.
   */
  logs(
    service: string,
    onLine: (line: string) => void,
    opts: { follow?: boolean; tail?: number; timestamps?: boolean; signal?: AbortSignal } = {},
  ): Promise<void> {
    const { cli } = this.opts;
    const args = [
      ...cli.args,
      ...this.fileArgs(true),
      'logs',
      '--no-color',
      '--no-log-prefix',
      ...(opts.follow ? ['--follow'] : []),
      ...(opts.tail !== undefined ? ['--tail', String(opts.tail)] : []),
      ...(opts.timestamps ? ['--timestamps'] : []),
      service,
    ];
    return new Promise((resolve, reject) => {
      const child = spawn(cli.command, args, {
        env: this.env(),
        cwd: path.dirname(this.opts.files[0]!),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const out = new LineSplitter();
      let stderr = '';
      const onAbort = () => child.kill('SIGTERM');
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      if (opts.signal?.aborted) onAbort();
      child.stdout.on('data', (d: Buffer) => out.push(d).forEach(onLine));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.on('error', (e) => reject(new Error(`cannot run ${cli.command}: ${e.message}`, { cause: e })));
      child.on('close', (code) => {
        opts.signal?.removeEventListener('abort', onAbort);
        out.end().forEach(onLine);
        if (code === 0 || opts.signal?.aborted) resolve();
        else reject(new ComposeCommandError('logs', code, stderr));
      });
    });
  }
}
