// Which buttons are enabled: the same phases the tree's context menus offer each command in
// (package.json `view/item/context`), so the panel never offers what the tree would not. Pure.

import type { EnvironmentPhase, PanelCommand } from '../../runner/api';

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
const PRIMARY: readonly PanelCommand[] = ['start', 'openInRemoteSsh'];

type Phases = readonly EnvironmentPhase[] | 'any';

const ACTIONS: readonly {
  command: PanelCommand;
  label: string;
  icon: string;
  phases: Phases;
  does: string;
}[] = [
  {
    command: 'start',
    label: 'Start',
    icon: 'debug-start',
    phases: ['Stopped', 'Failed'],
    does: 'Start the environment',
  },
  {
    command: 'stop',
    label: 'Stop',
    icon: 'debug-stop',
    phases: ['Running', 'Starting', 'Building', 'Pending', 'Failed'],
    does: 'Stop the environment (its workspace is kept)',
  },
  {
    command: 'restart',
    label: 'Restart',
    icon: 'debug-restart',
    phases: ['Running', 'Failed'],
    does: 'Restart the container',
  },
  {
    command: 'rebuild',
    label: 'Rebuild',
    icon: 'tools',
    phases: 'any',
    does: 'Rebuild the image and recreate the container',
  },
  {
    command: 'openInRemoteSsh',
    label: 'Open',
    icon: 'remote',
    phases: ['Running', 'Stopped'],
    does: 'Open the environment in VS Code through Remote-SSH',
  },
  {
    command: 'openTerminal',
    label: 'Terminal',
    icon: 'terminal',
    phases: ['Running', 'Stopped'],
    does: 'Open a terminal in the environment',
  },
  {
    command: 'showLogs',
    label: 'Output',
    icon: 'output',
    phases: 'any',
    does: 'Show the log in an output channel',
  },
];

export function actionViews(phase: EnvironmentPhase | undefined, runnerConnected: boolean): ActionView[] {
  const views = ACTIONS.map((a) => {
    let why = '';
    if (!runnerConnected) why = 'Not connected to the devrig runner';
    else if (!phase) why = 'The environment is not known to the runner';
    else if (phase === 'Deleting') why = 'The environment is being deleted';
    else if (a.phases !== 'any' && !a.phases.includes(phase)) why = `Not available while ${phase}`;
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
