// Registers every command id with its handler. The handler table's type requires exactly the ids of
// commandIds.ts, so a command cannot be declared without a handler or the other way round.

import * as vscode from 'vscode';
import { COMMAND_IDS, type CommandId } from './commandIds';

// Commands receive whatever VS Code passes (tree nodes, URIs, strings); each handler narrows it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CommandHandler = (...args: any[]) => unknown;
export type CommandHandlers = { [K in CommandId]: CommandHandler };

export function registerCommands(handlers: CommandHandlers, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.Disposable.from(
    ...COMMAND_IDS.map((id) =>
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handlers[id](...args);
        } catch (e) {
          if (e instanceof vscode.CancellationError) return undefined;
          const err = e as Error;
          log.error(`${id} failed: ${err.stack ?? err.message}`);
          void vscode.window.showErrorMessage(`devrig: ${err.message}`);
          return undefined;
        }
      }),
    ),
  );
}
