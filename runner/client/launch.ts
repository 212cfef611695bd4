import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../api';
import { processAlive } from '../state/lock';
import { readFileIfExists } from '../state/privateFile';
import { readRunnerInfo } from '../state/runnerInfo';
import { ensurePrivateDir, resolveStateDir, statePaths } from '../state/stateDir';
import { RunnerClient } from './runnerClient';

export interface ConnectRunnerOptions {
  stateDir?: string;
  client: string;
  /** Start the runner when none answers. */
  autoStart?: boolean;
  /** The runner bundle; defaults to runner.js beside this bundle. */
  runnerScript?: string;
  /** The Node to run it with (the extension passes process.execPath + ELECTRON_RUN_AS_NODE). */
  nodePath?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** Connects to the user's runner if one answers; undefined otherwise. */
export async function tryConnect(stateDir: string, client: string): Promise<RunnerClient | undefined> {
  const paths = statePaths(stateDir);
  const info = await readRunnerInfo(paths.info);
  if (!info || !processAlive(info.pid)) return undefined;
  const token = (await readFileIfExists(paths.token))?.trim();
  if (!token) return undefined;
  try {
    return await RunnerClient.connect({ port: info.port, token, client });
  } catch {
    return undefined;
  }
}

export function defaultRunnerScript(): string {
  return join(__dirname, 'runner.js');
}

/** Starts a runner process detached from the caller, so it outlives CLI calls and VS Code windows. */
export async function spawnRunner(opts: {
  stateDir: string;
  runnerScript?: string;
  nodePath?: string;
  env?: NodeJS.ProcessEnv;
}): Promise<{ pid: number; exited: Promise<number | null> }> {
  await ensurePrivateDir(opts.stateDir);
  const paths = statePaths(opts.stateDir);
  const out = openSync(paths.log, 'a', 0o600);
  try {
    const child = spawn(
      opts.nodePath ?? process.execPath,
      [opts.runnerScript ?? defaultRunnerScript(), '--state-dir', opts.stateDir],
      {
        detached: true,
        stdio: ['ignore', out, out],
        env: { ...(opts.env ?? process.env), DEVRIG_STATE_DIR: opts.stateDir },
      },
    );
    const exited = new Promise<number | null>((resolve) => {
      child.once('exit', (code) => resolve(code));
      child.once('error', () => resolve(-1));
    });
    child.unref();
    return { pid: child.pid ?? -1, exited };
  } finally {
    closeSync(out);
  }
}

/**
 * Finds the user's runner, starting it if asked. Two callers starting at once both
 * end up connected to the one runner that won the lock.
 */
export async function connectRunner(opts: ConnectRunnerOptions): Promise<RunnerClient> {
  const stateDir = opts.stateDir ?? resolveStateDir(opts.env);
  const existing = await tryConnect(stateDir, opts.client);
  if (existing) return existing;
  if (!opts.autoStart) {
    throw new ApiError(
      'Unavailable',
      `the devrig runner is not running (state ${stateDir}); start it with "devrig runner start"`,
    );
  }
  const child = await spawnRunner({
    stateDir,
    runnerScript: opts.runnerScript,
    nodePath: opts.nodePath,
    env: opts.env,
  });
  let exitCode: number | null | undefined;
  void child.exited.then((c) => (exitCode = c));
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    const c = await tryConnect(stateDir, opts.client);
    if (c) return c;
    // Exit code 3: another runner holds the lock; keep looking for it.
    if (exitCode !== undefined && exitCode !== 3) {
      const log = await readFileIfExists(statePaths(stateDir).log);
      const tail = log?.trim().split('\n').slice(-5).join('\n');
      throw new ApiError('Unavailable', `the runner exited with code ${exitCode}${tail ? `:\n${tail}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new ApiError(
    'Unavailable',
    `the runner did not answer within ${(opts.timeoutMs ?? 20_000) / 1000}s; see ${statePaths(stateDir).log}`,
  );
}
