// Two status bar items: the folder's environment (name + phase icon; click → actions) and, only while
// the runner is not connected, the connection state.

import * as vscode from 'vscode';
import { COMMANDS } from '../commands/commandIds';
import type { Services } from '../services';
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
  s.cache.on('change', update);
  s.runner.on('state', update);
  s.workspace.on('change', update);
  update();
  return new vscode.Disposable(() => {
    s.cache.off('change', update);
    s.runner.off('state', update);
    s.workspace.off('change', update);
    env.dispose();
    runner.dispose();
  });
}
