// Activation: register the view, commands and status bar synchronously, then connect to the runner in the
// background. Nothing here waits for the runner; the tree shows "connecting" until it answers.

import '../runner/api/zodJitless';
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { VERSION } from '../runner/api';
import { startAutoStart } from './autostart/autoStart';
import { automationCommands } from './commands/automationCommands';
import { createCommands } from './commands/createCommands';
import { hostCommands } from './commands/hostCommands';
import { lifecycleCommands } from './commands/lifecycleCommands';
import { registerCommands } from './commands/registry';
import { remoteCommands } from './commands/remoteCommands';
import { runnerCommands } from './commands/runnerCommands';
import { sessionCommands } from './commands/sessionCommands';
import { readSettings, watchRunnerSettings } from './config/settings';
import type { Settings } from './config/settingsModel';
import { trackContextKeys } from './contextKeys';
import { createDetailsView } from './details/webviewDetailsView';
import { EnvironmentLogs } from './logs/environmentLogs';
import { runnerLaunchSpec } from './runner/launchSpec';
import { ResourceCache } from './runner/resourceCache';
import { RunnerConnection, type RunnerConnectionOptions } from './runner/runnerConnection';
import type { Services } from './services';
import { watchIdleStops } from './status/idleWarnings';
import { watchNewPorts } from './ports/portWatcher';
import { createStatusBar } from './status/statusBar';
import { EnvironmentsTreeProvider } from './tree/environmentsTreeProvider';
import { WorkspaceFolderState } from './workspace/workspaceFolderState';
import { reopenCommands } from './journey/reopenCommands';
import { registerMcpProvider, type McpHostApi } from './agents/mcpProvider';

export const VIEW_ID = 'devrig.environments';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('devrig', { log: true });
  let settings = readSettings();
  const runner = new RunnerConnection(connectionOptions(context, settings, log));
  const cache = new ResourceCache();
  runner.on('connected', (client) => void cache.attach(client));
  runner.on('state', (st) => {
    if (st.kind !== 'connected') cache.detach();
  });
  cache.on('error', (e) => log.warn(e.message));
  const workspace = new WorkspaceFolderState(cache);
  const logs = new EnvironmentLogs(runner, log);
  cache.on('change', (c) => {
    if (c.type === 'DELETED' && c.resource.kind === 'Environment') logs.stop(c.resource.metadata.name);
  });
  const base: Omit<Services, 'details'> = {
    context,
    log,
    runner,
    cache,
    settings: () => settings,
    workspace,
    logs,
  };
  const details = createDetailsView(base);
  const services: Services = { ...base, details };

  const tree = new EnvironmentsTreeProvider(cache, runner);
  const view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true });
  context.subscriptions.push(
    log,
    tree,
    view,
    details,
    base.logs,
    workspace.start(),
    trackContextKeys(base),
    createStatusBar(base),
    watchIdleStops(base),
    watchNewPorts(base),
    registerCommands(
      {
        ...createCommands(services),
        ...lifecycleCommands(services),
        ...remoteCommands(services),
        ...sessionCommands(services),
        ...runnerCommands(services),
        ...hostCommands(services),
        ...automationCommands(services),
        ...reopenCommands(services),
      },
      log,
    ),
    watchRunnerSettings(() => {
      settings = readSettings();
      runner.reconfigure(connectionOptions(context, settings, log));
    }),
    startAutoStart(services),
    { dispose: () => runner.dispose() },
  );
  // devrig's MCP server for agent mode (VS Code 1.101+).
  const mcp = registerMcpProvider(vscode as unknown as McpHostApi, {
    extensionPath: context.extensionPath,
    version: VERSION,
    host: {
      execPath: process.execPath,
      electronVersion: process.versions.electron,
      env: process.env,
      homedir: homedir(),
    },
    // Read afresh: devrig.mcp.enabled applies without a reload.
    settings: readSettings,
    log: (m) => log.info(m),
  });
  if (mcp) context.subscriptions.push(mcp);
  for (const p of settings.problems) log.warn(p);
  // In the background: activation returns now.
  runner.start();
}

export function deactivate(): void {
  // Disposables registered in activate() close the connection; the runner keeps running for other windows.
}

function connectionOptions(
  context: vscode.ExtensionContext,
  settings: Settings,
  log: vscode.LogOutputChannel,
): RunnerConnectionOptions {
  let launch;
  try {
    launch = runnerLaunchSpec({
      extensionPath: context.extensionPath,
      runnerPathSetting: settings.runnerPath,
      host: {
        execPath: process.execPath,
        electronVersion: process.versions.electron,
        env: process.env,
        homedir: homedir(),
      },
    });
  } catch (e) {
    launch = e as Error;
  }
  return {
    stateDir: settings.stateDir,
    launch,
    clientName: `vscode ${vscode.version} (${vscode.env.appName}, pid ${process.pid})`,
    extensionVersion: VERSION,
    log: (m) => log.info(m),
  };
}
