// Reopen in Environment (this window, over Remote-SSH, into the environment's workspace folder —
// creating and starting it first, with progress), Reopen Folder Locally (from inside, back to the folder
// the environment was made from), Open Config, and Forget Choices for This Folder.

import * as vscode from 'vscode';
import { COMMANDS } from '../commands/commandIds';
import { createEnvironment, pickConfig } from '../commands/createCommands';
import type { CommandHandlers } from '../commands/registry';
import { openInRemoteSsh } from '../commands/remoteCommands';
import { nameFromArg } from '../commands/targets';
import { forgetNeverForFolder } from '../autostart/autoStart';
import { openEnvironmentConfig } from '../failures/openConfig';
import type { Services } from '../services';
import { recordRemoteOpen } from '../testHooks';
import { forgetNextStep } from './nextStepOffer';

/** The folder's environment, made (and started) from its config when there is none yet. */
async function folderEnvironment(s: Services): Promise<string | undefined> {
  await s.workspace.ready();
  const own = s.workspace.environment();
  if (own) return own.metadata.name;
  const info = s.workspace.folder;
  if (!info || info.configs.length === 0) {
    throw new Error('open a folder with a devcontainer config (.devcontainer/devcontainer.json) first');
  }
  if (!vscode.workspace.isTrusted) {
    throw new Error('devrig builds environments only from trusted folders: trust this folder first');
  }
  const configFile = await pickConfig(info.path);
  const r = await createEnvironment(
    s,
    { kind: 'folder', folder: info.path, configFile },
    { offerNext: false },
  );
  return r.state === 'done' ? r.env.metadata.name : undefined;
}

export function reopenCommands(
  s: Services,
): Pick<
  CommandHandlers,
  | 'devrig.reopenInEnvironment'
  | 'devrig.reopenFolderLocally'
  | 'devrig.openConfig'
  | 'devrig.forgetFolderChoices'
> {
  return {
    [COMMANDS.reopenInEnvironment]: async (arg?: unknown) => {
      const name = nameFromArg(arg) ?? (await folderEnvironment(s));
      if (name) await openInRemoteSsh(s, name, false, { ask: false });
    },
    [COMMANDS.reopenFolderLocally]: async () => {
      const inside = s.workspace.insideEnvironment();
      if (!inside) {
        void vscode.window.showInformationMessage(
          'devrig: this window is not connected to a devrig environment.',
        );
        return;
      }
      const folder = s.cache.environment(inside)?.spec.source.folder;
      if (!folder) {
        const choice = await vscode.window.showInformationMessage(
          `devrig: ${inside} was made from a Git repository: there is no folder on this machine to reopen.`,
          'Close Remote Connection',
        );
        if (choice) await vscode.commands.executeCommand('workbench.action.remote.close');
        return;
      }
      const uri = vscode.Uri.file(folder);
      s.log.info(`reopen ${uri.toString()} locally`);
      recordRemoteOpen(uri.toString(), false);
      await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: false });
    },
    [COMMANDS.openConfig]: (arg?: unknown) => openEnvironmentConfig(s, arg),
    [COMMANDS.forgetFolderChoices]: async () => {
      await s.workspace.ready();
      const env = s.workspace.environment();
      const folder = s.workspace.folder?.path ?? env?.spec.source.folder;
      if (!folder) throw new Error('open a folder first');
      await forgetNextStep(s, folder);
      await forgetNeverForFolder(s, folder);
      void vscode.window.showInformationMessage(
        `devrig: forgot the choices for ${folder}: devrig asks again when it opens and after a start.`,
      );
    },
  };
}
