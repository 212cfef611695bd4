// After an environment is ready: offer to open it. Remote-SSH only when it is installed (otherwise the
// terminal), so nobody is nagged about an extension they chose not to have.

import * as vscode from 'vscode';
import type { Services } from '../services';
import { COMMANDS } from './commandIds';
import { remoteSshInstalled } from './remoteCommands';

export async function offerToOpen(s: Services, name: string): Promise<void> {
  const remote = remoteSshInstalled();
  const actions = remote ? ['Open in Remote-SSH', 'Open in New Window', 'Open Terminal'] : ['Open Terminal'];
  const choice = await vscode.window.showInformationMessage(`devrig: ${name} is running.`, ...actions);
  if (choice === 'Open in Remote-SSH') await vscode.commands.executeCommand(COMMANDS.openInRemoteSsh, name);
  else if (choice === 'Open in New Window')
    await vscode.commands.executeCommand(COMMANDS.openInRemoteSshNewWindow, name);
  else if (choice === 'Open Terminal') await vscode.commands.executeCommand(COMMANDS.openTerminal, name);
  s.log.debug(`open offer for ${name}: ${choice ?? 'dismissed'}`);
}
