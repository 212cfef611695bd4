// Which buttons are enabled: what the environment's state allows (runner/presentation/verbs.ts, the
// table the tree's menus, the status bar and the commands follow too), so the panel never offers what the
// tree would not. Pure.

import type { EnvironmentPhase, PanelCommand } from '../../runner/api';
import { canDo, type EnvironmentVerb } from '../../runner/presentation/verbs';

export interface ActionView {
  command: PanelCommand;
  label: string;
  icon: string;
  enabled: boolean;
  /** The one button drawn prominently: what a person most likely wants next. */
  primary: boolean;
  /** Why it is disabled, or what it does. */
  title: string;
}

/** In order of preference, the first enabled one is primary. */
const PRIMARY: readonly PanelCommand[] = ['retry', 'start', 'openInRemoteSsh'];

const ACTIONS: readonly {
  command: PanelCommand;
  verb: EnvironmentVerb;
  label: string;
  icon: string;
  does: string;
}[] = [
  { command: 'start', verb: 'start', label: 'Start', icon: 'debug-start', does: 'Start the environment' },
  {
    command: 'retry',
    verb: 'retry',
    label: 'Retry',
    icon: 'refresh',
    does: 'Try again now what failed (lifecycle commands run again)',
  },
  {
    command: 'stop',
    verb: 'stop',
    label: 'Stop',
    icon: 'debug-stop',
    does: 'Stop the environment (its workspace is kept)',
  },
  {
    command: 'restart',
    verb: 'restart',
    label: 'Restart',
    icon: 'debug-restart',
    does: 'Restart the container',
  },
  {
    command: 'rebuild',
    verb: 'rebuild',
    label: 'Rebuild',
    icon: 'tools',
    does: 'Rebuild the image and recreate the container',
  },
  {
    command: 'openInRemoteSsh',
    verb: 'open',
    label: 'Open',
    icon: 'remote',
    does: 'Open the environment in VS Code through Remote-SSH',
  },
  {
    command: 'openTerminal',
    verb: 'openTerminal',
    label: 'Terminal',
    icon: 'terminal',
    does: 'Open a terminal in the environment',
  },
  {
    command: 'showLogs',
    verb: 'showLogs',
    label: 'Output',
    icon: 'output',
    does: 'Show the log in an output channel',
  },
];

export function actionViews(phase: EnvironmentPhase | undefined, runnerConnected: boolean): ActionView[] {
  const views = ACTIONS.map((a) => {
    let why = '';
    if (!runnerConnected) why = 'Not connected to the devrig runner';
    else if (!phase) why = 'The environment is not known to the runner';
    else if (!canDo({ phase, idleStop: false }, a.verb))
      why = phase === 'Deleting' ? 'The environment is being deleted' : `Not available while ${phase}`;
    return {
      command: a.command,
      label: a.label,
      icon: a.icon,
      enabled: why === '',
      primary: false,
      title: why || a.does,
    };
  });
  const primary = PRIMARY.map((c) => views.find((v) => v.command === c && v.enabled)).find(Boolean);
  if (primary) primary.primary = true;
  return views;
}
