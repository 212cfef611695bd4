// What a (validated) webview message asks the extension to do. Buttons run the same commands the tree
// runs, with the environment name as argument, exactly like the tree's items; the name is always the
// panel's own, never one from the page. Pure.

import type { PanelCommand, ViewMessage } from '../../runner/api';
import { COMMANDS, type CommandId } from '../commands/commandIds';

export const PANEL_COMMAND_IDS: Record<PanelCommand, CommandId> = {
  start: COMMANDS.start,
  stop: COMMANDS.stop,
  restart: COMMANDS.restart,
  rebuild: COMMANDS.rebuild,
  retry: COMMANDS.retry,
  openInRemoteSsh: COMMANDS.openInRemoteSsh,
  openTerminal: COMMANDS.openTerminal,
  copySshCommand: COMMANDS.copySshCommand,
  showLogs: COMMANDS.showLogs,
};

export type PanelAction =
  | { kind: 'snapshot' }
  | { kind: 'command'; command: CommandId; args: [name: string, ...rest: unknown[]] }
  | { kind: 'copyPort'; name: string; port: number };

export function panelAction(message: ViewMessage, name: string): PanelAction {
  switch (message.type) {
    case 'ready':
      return { kind: 'snapshot' };
    case 'command':
      return { kind: 'command', command: PANEL_COMMAND_IDS[message.command], args: [name] };
    case 'port':
      return message.action === 'open'
        ? { kind: 'command', command: COMMANDS.openPort, args: [name, message.port] }
        : { kind: 'copyPort', name, port: message.port };
  }
}
