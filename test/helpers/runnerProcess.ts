import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RunnerClient } from '../../runner/client/runnerClient';
import { readRunnerInfo } from '../../runner/state/runnerInfo';
import { statePaths } from '../../runner/state/stateDir';
import { docker } from './docker';
import { waitFor } from './wait';

export const ROOT = resolve(__dirname, '../..');
export const RUNNER_JS = join(ROOT, 'dist/runner.js');
export const CLI_JS = join(ROOT, 'dist/cli.js');

function requireBuild(): void {
  if (!existsSync(RUNNER_JS) || !existsSync(CLI_JS)) {
    throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  }
}

export interface TestRunner {
  stateDir: string;
  child: ChildProcess;
  pid: number;
  client: RunnerClient;
  /** Runs the devrig CLI against this runner. */
  cli(
    args: string[],
    opts?: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
  ): Promise<CliResult>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the runner again on the same state folder (after kill). */
  restart(): Promise<void>;
  log(): string;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Extra environment for runner processes: the example's base image, no registry. */
export const testEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  DEVRIG_EXAMPLE_BASE: process.env.DEVRIG_BASE_IMAGE ?? 'devrig-test-base:bookworm',
});

/** Starts a real runner process (dist/runner.js) on a fresh private state folder. */
export async function startRunner(
  opts: { stateDir?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<TestRunner> {
  requireBuild();
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), 'devrig-state-'));
  const env = { ...testEnv(), ...opts.env, DEVRIG_STATE_DIR: stateDir };
  const paths = statePaths(stateDir);
  let child!: ChildProcess;
  let output = '';
  const t: TestRunner = {
    stateDir,
    child,
    pid: 0,
    client: undefined as unknown as RunnerClient,
    cli: (args, o = {}) => runCli(args, { ...env, ...o.env }, o.input, o.timeoutMs),
    kill: async (signal = 'SIGKILL') => {
      const c = t.child;
      t.client?.close();
      if (c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill(signal);
      await exited;
    },
    restart: async () => {
      await launch();
    },
    log: () => output,
  };
  const launch = async () => {
    const before = (await readRunnerInfo(paths.info))?.pid;
    child = spawn(process.execPath, [RUNNER_JS, '--state-dir', stateDir], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    t.child = child;
    t.pid = child.pid!;
    const info = await waitFor(
      'the runner to listen',
      async () => {
        if (child.exitCode !== null) throw new Error(`runner exited with ${child.exitCode}: ${output}`);
        const i = await readRunnerInfo(paths.info);
        return i && i.pid === child.pid && i.pid !== before ? i : undefined;
      },
      20_000,
    );
    const token = readFileSync(paths.token, 'utf8').trim();
    t.client = await RunnerClient.connect({ port: info.port, token, client: 'test' });
  };
  await launch();
  return t;
}

export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  input?: string,
  timeoutMs = 300_000,
): Promise<CliResult> {
  requireBuild();
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [CLI_JS, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

/**
 * Removes everything a runner created, found by its runner-id label (containers,
 * volumes, built images), stops it and deletes its state folder. Safe to call twice.
 */
export async function cleanupRunner(r: TestRunner | undefined): Promise<void> {
  if (!r) return;
  await r.kill('SIGKILL').catch(() => {});
  await removeByRunnerId(r.stateDir);
  rmSync(r.stateDir, { recursive: true, force: true });
}

export async function removeByRunnerId(stateDir: string): Promise<void> {
  let id: string;
  try {
    id = readFileSync(statePaths(stateDir).runnerId, 'utf8').trim();
  } catch {
    return;
  }
  const label = [`devrig.runner=${id}`];
  for (const c of await docker.listContainers({ all: true, filters: { label } })) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
  }
  for (const v of (await docker.listVolumes({ filters: { label } })).Volumes ?? []) {
    await docker
      .getVolume(v.Name)
      .remove()
      .catch(() => {});
  }
  for (const i of await docker.listImages({ filters: { label } })) {
    await docker
      .getImage(i.Id)
      .remove({ force: true })
      .catch(() => {});
  }
}
