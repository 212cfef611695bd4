// How to start the bundled runner from inside a VS Code extension host. Pure: the caller passes what it
// knows about its process, so each host (Electron desktop, code-server's Node) is a table row in tests.

import { isAbsolute, join } from 'node:path';
import { expandHome } from '../config/paths';

export interface HostProcess {
  execPath: string;
  /** `process.versions.electron` in VS Code desktop; undefined in code-server / plain Node. */
  electronVersion: string | undefined;
  env: NodeJS.ProcessEnv;
  /** os.homedir(), for `~/` in devrig.runner.path. */
  homedir: string;
}

export interface RunnerLaunchSpec {
  runnerScript: string;
  nodePath: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Variables that tie a process to one VS Code window (IPC hooks, the extension host's own settings) or
 * make Electron behave as a browser. The runner outlives windows, so it must not inherit them.
 */
const WINDOW_SCOPED = /^(VSCODE_|ELECTRON_|CHROME_|ORIGINAL_XDG_|APPLICATION_INSIGHTS)/;

export function runnerLaunchSpec(opts: {
  extensionPath: string;
  /** `devrig.runner.path`: another runner script to run instead of the bundled one. */
  runnerPathSetting: string | undefined;
  host: HostProcess;
}): RunnerLaunchSpec {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(opts.host.env)) if (!WINDOW_SCOPED.test(k)) env[k] = v;
  // VS Code's own executable is Electron: this makes it a plain Node for the runner.
  if (opts.host.electronVersion) env.ELECTRON_RUN_AS_NODE = '1';
  return {
    runnerScript: runnerScriptPath(opts.extensionPath, opts.runnerPathSetting, opts.host.homedir),
    nodePath: opts.host.execPath,
    env,
  };
}

/** The bundled `dist/runner.js`, or the setting's path (absolute, or `~/...`). */
export function runnerScriptPath(
  extensionPath: string,
  setting: string | undefined,
  home: string | undefined,
): string {
  const trimmed = setting?.trim();
  if (!trimmed) return join(extensionPath, 'dist', 'runner.js');
  const custom = expandHome(trimmed, home);
  if (!isAbsolute(custom)) {
    throw new Error(`devrig.runner.path must be an absolute path (or start with ~/), not "${custom}"`);
  }
  return custom;
}
