// How VS Code starts `devrig mcp` for its agent mode: the bundled CLI run by the editor's own Node,
// pointed at the runner's state folder, with the window's open folders as what the agent may use.
// Pure: each host (Electron desktop, code-server's Node) is a table row in tests.

import { join } from 'node:path';
import { runnerLaunchSpec, type HostProcess } from '../runner/launchSpec';

/** The id in package.json's contributes.mcpServerDefinitionProviders. */
export const MCP_PROVIDER_ID = 'devrig';
export const MCP_SERVER_LABEL = 'devrig';

export interface McpServerSpec {
  label: string;
  command: string;
  args: string[];
  /** Set, or (null) removed from the editor's environment. */
  env: Record<string, string | null>;
  /** A new version makes VS Code read the tool list again. */
  version: string;
  /** The working folder: the first open folder, if any. */
  cwd?: string;
}

export function devrigMcpServerSpec(opts: {
  extensionPath: string;
  stateDir: string;
  host: HostProcess;
  /** The window's folders, when trusted: the agent may create environments from them. */
  folders: readonly string[];
  version: string;
}): McpServerSpec {
  // As the runner is started: plain Node out of Electron, no variables tying it to this window
  // (it may start the runner, which outlives the window).
  const launch = runnerLaunchSpec({
    extensionPath: opts.extensionPath,
    runnerPathSetting: undefined,
    host: opts.host,
  });
  const env: Record<string, string | null> = {};
  for (const k of Object.keys(opts.host.env)) if (!(k in launch.env)) env[k] = null;
  if (launch.env.ELECTRON_RUN_AS_NODE) env.ELECTRON_RUN_AS_NODE = launch.env.ELECTRON_RUN_AS_NODE;
  env.DEVRIG_STATE_DIR = opts.stateDir;
  const folders = opts.folders.length
    ? opts.folders.flatMap((f) => ['--folder', f])
    : // No folder open (or not trusted): only agents.folders of the runner config.
      ['--no-folders'];
  return {
    label: MCP_SERVER_LABEL,
    command: launch.nodePath,
    args: [join(opts.extensionPath, 'dist', 'cli.js'), 'mcp', ...folders],
    env,
    version: opts.version,
    ...(opts.folders[0] ? { cwd: opts.folders[0] } : {}),
  };
}
