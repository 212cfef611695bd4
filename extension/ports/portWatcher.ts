// Announces a port of the window's environment that becomes available (forwarded by the runner and
// listened on) as portNotices.ts decides from `onAutoForward`: a notification with Open in Browser, or
// opening it at once. Ports already there when the window first sees the environment are not news.

import * as vscode from 'vscode';
import { displayName } from '../../runner/presentation/displayName';
import type { Services } from '../services';
import { portNoticeMessage, portNotices, type PortNotice, type PortNoticeState } from './portNotices';

export function watchNewPorts(s: Omit<Services, 'details'>): vscode.Disposable {
  let state: PortNoticeState | undefined;
  const update = () => {
    const env = s.workspace.environment();
    const { notices, next } = portNotices(state, env);
    state = next;
    for (const n of notices) void announce(s, n, env ? displayName(env) : '');
  };
  s.cache.on('change', update);
  s.workspace.on('change', update);
  return new vscode.Disposable(() => {
    s.cache.off('change', update);
    s.workspace.off('change', update);
  });
}

async function announce(s: Omit<Services, 'details'>, n: PortNotice, display: string): Promise<void> {
  s.log.info(`port ${n.port.port} of ${display} available at ${n.url} (${n.action})`);
  const uri = vscode.Uri.parse(n.url);
  if (n.action === 'openBrowser') return void (await vscode.env.openExternal(uri));
  if (n.action === 'openPreview') {
    return void (await vscode.commands
      .executeCommand('simpleBrowser.show', n.url)
      .then(undefined, () => vscode.env.openExternal(uri)));
  }
  const picked = await vscode.window.showInformationMessage(
    portNoticeMessage(display, n.port),
    'Open in Browser',
  );
  if (picked) await vscode.env.openExternal(uri);
}
