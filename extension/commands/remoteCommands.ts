// Open in Remote-SSH (this window / new window) and Copy SSH Command. Without the Remote-SSH extension
// the user is offered to install it, or to use the built-in terminal or plain ssh instead.

import * as vscode from 'vscode';
import { canDo } from '../../runner/presentation/verbs';
import { displayName } from '../../runner/presentation/displayName';
import { remoteSshOpenArgs, sshHostAlias } from '../../runner/sshConfig/remoteUri';
import { turnOffVsCodeAutoForward } from '../journey/remoteSettings';
import type { Services } from '../services';
import { recordRemoteOpen } from '../testHooks';
import { COMMANDS } from './commandIds';
import { REMOTE_SSH_EXTENSION, remoteSshInstalled } from './remoteSsh';
import { connectedClient } from './connected';
import { runLifecycle } from './lifecycleCommands';
import type { CommandHandlers } from './registry';
import { ensureSshSetup } from './sshSetup';
import { resolveEnvironment } from './targets';

export { remoteSshInstalled } from './remoteSsh';

/**
 * Opens environment `name` through Remote-SSH, starting it first if needed (after asking, unless
 * `ask` is false: Reopen in Environment says so already).
 */
export async function openInRemoteSsh(
  s: Services,
  name: string,
  newWindow: boolean,
  opts: { ask?: boolean } = {},
): Promise<void> {
  let env = s.cache.environment(name);
  if (env && env.status.phase !== 'Running') {
    if (opts.ask !== false) {
      const start = await vscode.window.showInformationMessage(
        `Environment ${displayName(env, name)} is ${env.status.phase}. Start it and open it?`,
        'Start and Open',
      );
      if (start !== 'Start and Open') return;
    }
    const r = await runLifecycle(s, name, env.status.phase === 'Failed' ? 'retry' : 'start');
    if (r.state !== 'done') return;
    env = r.env;
  }
  const folder = env?.status.workspaceFolder;
  if (!env || !folder) throw new Error(`environment ${name} has no workspace folder yet`);
  const ssh = await ensureSshSetup(s);
  if (!ssh.ok) void vscode.window.showWarningMessage(`devrig: ${ssh.reason}.`);
  // One forward per port: the runner's. VS Code in that window must not forward them again.
  await turnOffVsCodeAutoForward(await connectedClient(s), name, vscode.env.appName).then(
    (r) => s.log.info(`${name}: VS Code's port auto-forwarding off in the environment (${r})`),
    (e: Error) => s.log.warn(`${name}: could not turn VS Code's port auto-forwarding off: ${e.message}`),
  );
  const { uri, options } = remoteSshOpenArgs(name, folder, newWindow);
  s.log.info(`open ${uri} (${newWindow ? 'new window' : 'this window'})`);
  recordRemoteOpen(uri, newWindow);
  if (!remoteSshInstalled()) {
    const choice = await vscode.window.showWarningMessage(
      `Opening ${sshHostAlias(name)} needs the Remote - SSH extension, which is not installed.`,
      'Install Remote-SSH',
      'Open Terminal',
      'Copy SSH Command',
    );
    if (choice === 'Open Terminal')
      return void (await vscode.commands.executeCommand(COMMANDS.openTerminal, name));
    if (choice === 'Copy SSH Command')
      return void (await vscode.commands.executeCommand(COMMANDS.copySshCommand, name));
    if (choice !== 'Install Remote-SSH') return;
    await vscode.commands.executeCommand('workbench.extensions.installExtension', REMOTE_SSH_EXTENSION);
    if (!remoteSshInstalled()) return;
  }
  await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.parse(uri), options);
}

export function remoteCommands(
  s: Services,
): Pick<
  CommandHandlers,
  'devrig.openInRemoteSsh' | 'devrig.openInRemoteSshNewWindow' | 'devrig.copySshCommand'
> {
  const open = (newWindow: boolean) => async (arg?: unknown) => {
    const name = await resolveEnvironment(s, arg, {
      placeHolder: 'Environment to open in Remote-SSH',
      filter: (e) => canDo(e, 'open'),
    });
    await openInRemoteSsh(s, name, newWindow);
  };
  return {
    [COMMANDS.openInRemoteSsh]: open(false),
    [COMMANDS.openInRemoteSshNewWindow]: open(true),
    [COMMANDS.copySshCommand]: async (arg?: unknown) => {
      const name = await resolveEnvironment(s, arg, {
        placeHolder: 'Environment to copy the SSH command of',
        filter: (e) => canDo(e, 'copySshCommand'),
      });
      const command = `ssh ${sshHostAlias(name)}`;
      const ssh = await ensureSshSetup(s);
      await vscode.env.clipboard.writeText(command);
      void vscode.window.showInformationMessage(
        ssh.ok ? `Copied "${command}" to the clipboard.` : `Copied "${command}" — but ${ssh.reason}.`,
      );
    },
  };
}
