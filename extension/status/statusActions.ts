// The actions the status bar item offers for the folder's environment, by phase. Pure.

import type { Environment } from '../../runner/api';
import { COMMANDS, type CommandId } from '../commands/commandIds';

export interface StatusAction {
  label: string;
  command: CommandId;
  /** Passed to the command: the environment's name (none for create). */
  withName: boolean;
}

export function statusActions(
  env: Environment | undefined,
  hasConfig: boolean,
  remoteSsh: boolean,
): StatusAction[] {
  const a = (label: string, command: CommandId, withName = true): StatusAction => ({
    label,
    command,
    withName,
  });
  if (!env) {
    return [
      ...(hasConfig
        ? [a('$(add) Create Environment from This Folder', COMMANDS.createEnvironmentFromWorkspace, false)]
        : []),
      a('$(add) Create Environment…', COMMANDS.createEnvironment, false),
    ];
  }
  const phase = env.status.phase;
  const running = phase === 'Running';
  const out: StatusAction[] = [];
  if (running) {
    out.push(
      a(`$(remote) Open in Remote-SSH${remoteSsh ? '' : ' (install Remote-SSH)'}`, COMMANDS.openInRemoteSsh),
      a('$(terminal) Open Terminal', COMMANDS.openTerminal),
    );
  }
  if (env.spec.state === 'Stopped' || phase === 'Failed') out.push(a('$(debug-start) Start', COMMANDS.start));
  if (env.spec.state === 'Running' && phase !== 'Failed') out.push(a('$(debug-stop) Stop', COMMANDS.stop));
  if (running || phase === 'Failed') out.push(a('$(debug-restart) Restart', COMMANDS.restart));
  if (running && env.status.idleStopAt) out.push(a('$(watch) Keep Running', COMMANDS.keepRunning));
  out.push(
    a('$(tools) Rebuild', COMMANDS.rebuild),
    a('$(output) Show Logs', COMMANDS.showLogs),
    a('$(info) Show Details', COMMANDS.showDetails),
    a('$(copy) Copy SSH Command', COMMANDS.copySshCommand),
    a('$(trash) Delete…', COMMANDS.delete),
  );
  return out;
}
