// Two status bar items: the folder's environment (name + phase icon; click → actions) and, only while
// the runner is not connected, the connection state.

import * as vscode from 'vscode';
import { COMMANDS } from '../commands/commandIds';
import { onServicesChange, type Services } from '../services';
import { environmentStatus, runnerStatus, type StatusText } from './statusModel';

export function createStatusBar(s: Omit<Services, 'details'>): vscode.Disposable {
  const env = vscode.window.createStatusBarItem('devrig.environment', vscode.StatusBarAlignment.Left, 100);
  env.name = 'devrig Environment';
  env.command = COMMANDS.statusBarActions;
  const runner = vscode.window.createStatusBarItem('devrig.runner', vscode.StatusBarAlignment.Left, 99);
  runner.name = 'devrig Runner';
  runner.command = COMMANDS.runnerShowLog;

  const apply = (item: vscode.StatusBarItem, t: StatusText | undefined) => {
    if (!t) return item.hide();
    item.text = t.text;
    item.accessibilityInformation = { label: t.label, role: 'button' };
    const md = new vscode.MarkdownString(t.tooltip, true);
    item.tooltip = md;
    item.backgroundColor = t.background ? new vscode.ThemeColor(t.background) : undefined;
    item.show();
  };
  let scheduled = false;
  const update = () => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(() => {
      scheduled = false;
      apply(env, environmentStatus(s.workspace.environment(), (s.workspace.folder?.configs.length ?? 0) > 0));
      apply(runner, runnerStatus(s.runner.state, s.runner.stateDir));
    });
  };
  const unsubscribe = onServicesChange(s, update);
  update();
  return new vscode.Disposable(() => {
    unsubscribe();
    env.dispose();
    runner.dispose();
  });
}
