// Context keys menus and welcome content use (`when` clauses in package.json).

import * as vscode from 'vscode';
import { onServicesChange, type Services } from './services';

export const CONTEXT = {
  runnerState: 'devrig.runnerState',
  hasEnvironments: 'devrig.hasEnvironments',
  folderHasConfig: 'devrig.folderHasConfig',
  /** This window is connected (Remote-SSH) to a devrig environment. */
  insideEnvironment: 'devrig.insideEnvironment',
} as const;

export function trackContextKeys(s: Omit<Services, 'details'>): vscode.Disposable {
  const last = new Map<string, unknown>();
  const set = (key: string, value: unknown) => {
    if (last.get(key) === value) return;
    last.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  };
  const update = () => {
    const st = s.runner.state.kind;
    set(CONTEXT.runnerState, st === 'disposed' ? 'disconnected' : st);
    set(CONTEXT.hasEnvironments, s.cache.environments().length > 0);
    set(CONTEXT.folderHasConfig, (s.workspace.folder?.configs.length ?? 0) > 0);
    set(CONTEXT.insideEnvironment, s.workspace.insideEnvironment() !== undefined);
  };
  const unsubscribe = onServicesChange(s, update);
  update();
  return new vscode.Disposable(unsubscribe);
}
