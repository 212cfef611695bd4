// The actions the status bar item offers for the folder's environment: the verbs its state allows
// (runner/presentation/verbs.ts, the same table the tree's menus follow), in this order. Pure.

import type { Environment } from '../../runner/api';
import { COMMANDS, type CommandId } from '../commands/commandIds';
import { canDo, type EnvironmentVerb } from '../../runner/presentation/verbs';

export interface StatusAction {
  label: string;
  command: CommandId;
  /** Passed to the command: the environment's name (none for create). */
  withName: boolean;
}

const ENVIRONMENT_ACTIONS: readonly { verb: EnvironmentVerb; label: string; command: CommandId }[] = [
  { verb: 'open', label: '$(remote) Open in Remote-SSH', command: COMMANDS.openInRemoteSsh },
  { verb: 'openTerminal', label: '$(terminal) Open Terminal', command: COMMANDS.openTerminal },
  { verb: 'start', label: '$(debug-start) Start', command: COMMANDS.start },
  { verb: 'stop', label: '$(debug-stop) Stop', command: COMMANDS.stop },
  { verb: 'restart', label: '$(debug-restart) Restart', command: COMMANDS.restart },
  { verb: 'keepRunning', label: '$(watch) Keep Running', command: COMMANDS.keepRunning },
  { verb: 'rebuild', label: '$(tools) Rebuild', command: COMMANDS.rebuild },
  { verb: 'showLogs', label: '$(output) Show Logs', command: COMMANDS.showLogs },
  { verb: 'showDetails', label: '$(info) Show Details', command: COMMANDS.showDetails },
  { verb: 'copySshCommand', label: '$(copy) Copy SSH Command', command: COMMANDS.copySshCommand },
  { verb: 'delete', label: '$(trash) Delete…', command: COMMANDS.delete },
];

export function statusActions(
  env: Environment | undefined,
  hasConfig: boolean,
  remoteSsh: boolean,
): StatusAction[] {
  if (!env) {
    return [
      ...(hasConfig
        ? [
            {
              label: '$(add) Create Environment from This Folder',
              command: COMMANDS.createEnvironmentFromWorkspace,
              withName: false,
            },
          ]
        : []),
      { label: '$(add) Create Environment…', command: COMMANDS.createEnvironment, withName: false },
    ];
  }
  return ENVIRONMENT_ACTIONS.filter((a) => canDo(env, a.verb)).map((a) => ({
    label: a.verb === 'open' && !remoteSsh ? `${a.label} (install Remote-SSH)` : a.label,
    command: a.command,
    withName: true,
  }));
}
