// Reads devrig's settings from VS Code and tells when they change.

import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { parseSettings, type Settings } from './settingsModel';

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration('devrig');
  return parseSettings(
    {
      autoStart: c.get('autoStart'),
      'runner.stateDir': c.get('runner.stateDir'),
      'runner.path': c.get('runner.path'),
      defaultResources: c.get('defaultResources'),
      'mcp.enabled': c.get('mcp.enabled'),
    },
    process.env,
    homedir(),
  );
}

/** Calls `onRunnerSettings` when a setting that decides which runner to talk to changes. */
export function watchRunnerSettings(onRunnerSettings: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('devrig.runner')) onRunnerSettings();
  });
}
