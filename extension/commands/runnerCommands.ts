// Runner: Restart, Runner: Show Log, Refresh, and the status bar's action list.

import * as vscode from 'vscode';
import { displayWithId } from '../../runner/presentation/displayName';
import { statePaths } from '../../runner/state/stateDir';
import type { Services } from '../services';
import { statusActions } from '../status/statusActions';
import { COMMANDS } from './commandIds';
import type { CommandHandlers } from './registry';
import { remoteSshInstalled } from './remoteCommands';

export function runnerCommands(
  s: Services,
): Pick<
  CommandHandlers,
  'devrig.runner.restart' | 'devrig.runner.showLog' | 'devrig.refresh' | 'devrig.statusBarActions'
> {
  return {
    [COMMANDS.runnerRestart]: async () => {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'devrig: Restarting the runner' },
        () => s.runner.restartRunner(),
      );
      void vscode.window.showInformationMessage(
        `devrig: runner restarted (version ${s.runner.client?.runnerVersion}, pid ${s.runner.client?.runnerPid}); environments kept running.`,
      );
    },
    [COMMANDS.runnerShowLog]: async () => {
      const file = statePaths(s.runner.stateDir).log;
      try {
        const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
        await vscode.window.showTextDocument(doc, { preview: true });
      } catch (e) {
        throw new Error(`cannot open the runner log ${file}: ${(e as Error).message}`, { cause: e });
      }
    },
    [COMMANDS.refresh]: async () => {
      if (s.runner.client) {
        // Lists again on the live connection: the watch is the source of truth, this only resyncs.
        await s.cache.attach(s.runner.client);
      } else {
        s.runner.retryNow();
      }
    },
    [COMMANDS.statusBarActions]: async () => {
      await s.workspace.ready();
      const env = s.workspace.environment();
      const actions = statusActions(
        env,
        (s.workspace.folder?.configs.length ?? 0) > 0,
        remoteSshInstalled(),
        s.workspace.insideEnvironment() !== undefined,
      );
      const picked = await vscode.window.showQuickPick(
        [
          ...actions.map((a) => ({ label: a.label, action: a })),
          { label: '', kind: vscode.QuickPickItemKind.Separator },
          { label: '$(server-process) Runner: Show Log', command: COMMANDS.runnerShowLog },
          { label: '$(debug-restart) Runner: Restart', command: COMMANDS.runnerRestart },
        ],
        { placeHolder: env ? `devrig: ${displayWithId(env)} (${env.status.phase})` : 'devrig' },
      );
      if (!picked) return;
      if ('action' in picked && picked.action) {
        const a = picked.action;
        await vscode.commands.executeCommand(a.command, ...(a.withName && env ? [env.metadata.name] : []));
      } else if ('command' in picked && picked.command) {
        await vscode.commands.executeCommand(picked.command);
      }
    },
  };
}
