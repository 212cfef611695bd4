// What commands, views and panels share: one object built in activate(), passed explicitly.

import type * as vscode from 'vscode';
import type { Settings } from './config/settingsModel';
import type { EnvironmentLogs } from './logs/environmentLogs';
import type { ResourceCache } from './runner/resourceCache';
import type { RunnerConnection } from './runner/runnerConnection';
import type { WorkspaceFolderState } from './workspace/workspaceFolderState';

export interface DetailsView extends vscode.Disposable {
  /** Opens (or reveals) the panel of environment `name`. */
  show(name: string): Promise<void>;
}

export interface Services {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  runner: RunnerConnection;
  /** Every Environment and Host, kept current by the watch stream. */
  cache: ResourceCache;
  settings(): Settings;
  /** The open folder, its devcontainer config and its environment. */
  workspace: WorkspaceFolderState;
  logs: EnvironmentLogs;
  details: DetailsView;
}

/** Calls `listener` whenever what the UI shows may have changed: resources, runner connection, open folder. */
export function onServicesChange(
  s: Pick<Services, 'cache' | 'runner' | 'workspace'>,
  listener: () => void,
): () => void {
  s.cache.on('change', listener);
  s.runner.on('state', listener);
  s.workspace.on('change', listener);
  return () => {
    s.cache.off('change', listener);
    s.runner.off('state', listener);
    s.workspace.off('change', listener);
  };
}
