import type * as ChildProcess from 'node:child_process';
import { closeSync, openSync, renameSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiError } from '../api/apiError';
import { API_VERSION } from '../api/version';
import { LOG_ROTATE_BYTES, STOP_DEADLINE_MS } from '../state/limits';
import { isProcessRunning, processAlive } from '../state/lock';
import { readFileIfExists } from '../state/privateFile';
import { readRunnerInfo } from '../state/runnerInfo';
import { ensurePrivateDir, resolveStateDir, statePaths } from '../state/stateDir';
import { RunnerClient, type ConnectOptions } from './runnerClient';

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
  /**
   * Return a runner that speaks another API version instead of failing (its `runnerApiVersion`
   * says which): only `hello` and `shutdown` are sure to work on it.
   */
  allowOtherApiVersion?: boolean;
  /** Connect as an AI agent session (see ConnectOptions.agent). */
  agent?: ConnectOptions['agent'];
}

/**
 * Connects to the user's runner if one answers; undefined otherwise. The runner may speak another
 * API version (see `runnerApiVersion`): enough to stop it.
 */
export async function tryConnect(
  stateDir: string,
  client: string,
  agent?: ConnectOptions['agent'],
): Promise<RunnerClient | undefined> {
  const paths = statePaths(stateDir);
  const [info, tokenFile] = await Promise.all([readRunnerInfo(paths.info), readFileIfExists(paths.token)]);
  if (!info || !isProcessRunning({ pid: info.pid, startTime: info.pidStartTime })) return undefined;
  const token = tokenFile?.trim();
  if (!token) return undefined;
  try {
    return await RunnerClient.connect({ port: info.port, token, client, agent });
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
  // Required here, not imported up front: most callers find the runner running, and every CLI
  // command starts faster without it (a bundled import() would not do: see runner/cli/bin.ts).
  const { spawn } = module.require('node:child_process') as typeof ChildProcess;
  await ensurePrivateDir(opts.stateDir);
  const paths = statePaths(opts.stateDir);
  rotateLog(paths.log);
  const out = openSync(paths.log, 'a', 0o600);
  try {
    const child = spawn(
      opts.nodePath ?? process.execPath,
      [opts.runnerScript ?? defaultRunnerScript(), '--state-dir', opts.stateDir],
      {
        detached: true,
        stdio: ['ignore', out, out],
        // No console window on Windows, and no hold on the caller's working folder.
        windowsHide: true,
        cwd: opts.stateDir,
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

/** Keeps one previous runner.log: the current one starts afresh once it grew past `maxBytes`. */
export function rotateLog(path: string, maxBytes = LOG_ROTATE_BYTES): void {
  try {
    if (statSync(path).size > maxBytes) renameSync(path, `${path}.1`);
  } catch {
    /* no log yet, or another starter rotated it first */
  }
}

/** The last `lines` lines of a file, reading only its end (`maxBytes`). */
export async function readTail(
  path: string,
  lines: number,
  maxBytes = 16 * 1024,
): Promise<string | undefined> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const { size } = await fh.stat();
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    let got = 0;
    while (got < buf.length) {
      const { bytesRead } = await fh.read(buf, got, buf.length - got, start + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    let text = buf.subarray(0, got).toString('utf8');
    // Started mid-file: the first line is a fragment.
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } finally {
    await fh.close();
  }
}

/** How the runner's log says why it could not start (runner/main.ts). */
export const CANNOT_START = 'devrig runner: cannot start: ';

/**
 * Why a runner exited at start, from the end of its log: its own one-line reason when it wrote one
 * (never the stack frames after it), else the last lines.
 */
export function startFailure(exitCode: number | null, tail: string | undefined): string {
  const lines = tail?.split('\n') ?? [];
  const reason = lines.findLast((l) => l.startsWith(CANNOT_START));
  if (reason) return `the runner could not start: ${reason.slice(CANNOT_START.length)}`;
  const last = lines.slice(-5).join('\n');
  return `the runner exited with code ${exitCode}${last ? `:\n${last}` : ''}`;
}

/** Fails (closing the connection) unless the runner speaks this devrig's API version. */
function checkApiVersion(client: RunnerClient, opts: ConnectRunnerOptions): RunnerClient {
  if (opts.allowOtherApiVersion || client.runnerApiVersion === API_VERSION) return client;
  client.close();
  throw new ApiError(
    'Unavailable',
    `the running runner (pid ${client.runnerPid}, version ${client.runnerVersion}) speaks API ` +
      `v${client.runnerApiVersion}; this devrig speaks v${API_VERSION}: stop it with \`devrig runner stop\``,
  );
}

/**
 * Finds the user's runner, starting it if asked. Two callers starting at once both
 * end up connected to the one runner that won the lock. A runner speaking another API
 * version is an error (unless `allowOtherApiVersion`).
 */
export async function connectRunner(opts: ConnectRunnerOptions): Promise<RunnerClient> {
  const stateDir = opts.stateDir ?? resolveStateDir(opts.env);
  const existing = await tryConnect(stateDir, opts.client, opts.agent);
  if (existing) return checkApiVersion(existing, opts);
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
    const c = await tryConnect(stateDir, opts.client, opts.agent);
    if (c) return checkApiVersion(c, opts);
    // Exit code 3: another runner holds the lock; keep looking for it.
    if (exitCode !== undefined && exitCode !== 3) {
      const tail = await readTail(statePaths(stateDir).log, 40);
      throw new ApiError('Unavailable', startFailure(exitCode, tail));
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new ApiError(
    'Unavailable',
    `the runner did not answer within ${(opts.timeoutMs ?? 20_000) / 1000}s; see ${statePaths(stateDir).log}`,
  );
}

/**
 * Asks the runner behind `client` to shut down (closing the client) and waits until its process is
 * gone: it exits by STOP_DEADLINE_MS at the latest. Unavailable when it is still there after
 * `timeoutMs`. Returns its pid.
 */
export async function stopRunnerAndWait(
  client: RunnerClient,
  timeoutMs = STOP_DEADLINE_MS + 5_000,
): Promise<number> {
  const pid = client.runnerPid;
  try {
    await client.call('shutdown', {});
  } catch (e) {
    // It may be gone before it answers.
    if (!(e instanceof ApiError && e.code === 'Unavailable')) throw e;
  } finally {
    client.close();
  }
  const deadline = Date.now() + timeoutMs;
  while (processAlive(pid)) {
    if (Date.now() > deadline) {
      throw new ApiError('Unavailable', `the runner (pid ${pid}) did not stop within ${timeoutMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return pid;
}
