// Whether the Remote - SSH extension is there (Reopen and New Window need it). Its own module so the
// journey's offers can ask without importing the remote commands (which import the lifecycle ones).

import * as vscode from 'vscode';

export const REMOTE_SSH_EXTENSION = 'ms-vscode-remote.remote-ssh';

export function remoteSshInstalled(): boolean {
  return vscode.extensions.getExtension(REMOTE_SSH_EXTENSION) !== undefined;
}
