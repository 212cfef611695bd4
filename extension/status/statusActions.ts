// The actions the status bar item offers for the folder's environment: the verbs its state allows
// (runner/presentation/verbs.ts, the same table the tree's menus follow), the likeliest next step first —
// Start for a stopped environment, Retry for a failed one, Reopen for a running one. Pure.

import type { Environment, EnvironmentPhase } from '../../runner/api';
import { COMMANDS, type CommandId } from '../commands/commandIds';
import { canDo, type EnvironmentVerb } from '../../runner/presentation/verbs';

export interface StatusAction {
  label: string;
  command: CommandId;
  /** Passed to the command: the environment's name (none for create). */
  withName: boolean;
}

interface ActionDef {
  verb: EnvironmentVerb;
  label: string;
  command: CommandId;
  /** Only outside (`outside`) or only inside (`inside`) a window connected to the environment. */
  where?: 'outside' | 'inside';
  remote?: boolean;
}

const ACTIONS: readonly ActionDef[] = [
  { verb: 'retry', label: '$(refresh) Retry', command: COMMANDS.retry },
  { verb: 'start', label: '$(debug-start) Start', command: COMMANDS.start },
  {
    verb: 'open',
    label: '$(remote) Reopen in Environment',
    command: COMMANDS.reopenInEnvironment,
    where: 'outside',
    remote: true,
  },
  {
    verb: 'open',
    label: '$(folder) Reopen Folder Locally',
    command: COMMANDS.reopenFolderLocally,
    where: 'inside',
  },
  {
    verb: 'open',
    label: '$(empty-window) Open in New Window',
    command: COMMANDS.openInRemoteSshNewWindow,
    where: 'outside',
    remote: true,
  },
  { verb: 'openTerminal', label: '$(terminal) Open Terminal', command: COMMANDS.openTerminal },
  { verb: 'stop', label: '$(debug-stop) Stop', command: COMMANDS.stop },
  { verb: 'restart', label: '$(debug-restart) Restart', command: COMMANDS.restart },
  { verb: 'keepRunning', label: '$(watch) Keep Running', command: COMMANDS.keepRunning },
  { verb: 'rebuild', label: '$(tools) Rebuild', command: COMMANDS.rebuild },
  { verb: 'showLogs', label: '$(output) Show Logs', command: COMMANDS.showLogs },
  { verb: 'showDetails', label: '$(info) Show Details', command: COMMANDS.showDetails },
  { verb: 'copySshCommand', label: '$(copy) Copy SSH Command', command: COMMANDS.copySshCommand },
  { verb: 'delete', label: '$(trash) Delete…', command: COMMANDS.delete },
];

/** Per state, the verbs that come first (in this order); the rest follow in ACTIONS' order. */
const FIRST: Partial<Record<EnvironmentPhase, readonly EnvironmentVerb[]>> = {
  Stopped: ['start', 'open', 'openTerminal'],
  Failed: ['retry', 'showLogs', 'showDetails'],
  Running: ['open', 'openTerminal', 'stop'],
  Pending: ['showLogs', 'showDetails', 'stop'],
  Building: ['showLogs', 'showDetails', 'stop'],
  Starting: ['showLogs', 'showDetails', 'stop'],
};

export function statusActions(
  env: Environment | undefined,
  hasConfig: boolean,
  remoteSsh: boolean,
  inside = false,
): StatusAction[] {
  if (!env) {
    return [
      ...(hasConfig
        ? [
            {
              label: '$(remote) Reopen in Environment',
              command: COMMANDS.reopenInEnvironment,
              withName: false,
            },
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
  const first = FIRST[env.status.phase] ?? [];
  const rank = (a: ActionDef) => {
    const i = first.indexOf(a.verb);
    return i < 0 ? first.length : i;
  };
  return ACTIONS.filter((a) => canDo(env, a.verb) && (!a.where || (a.where === 'inside') === inside))
    .map((a, i) => ({ a, i }))
    .sort((x, y) => rank(x.a) - rank(y.a) || x.i - y.i)
    .map(({ a }) => ({
      label: a.remote && !remoteSsh ? `${a.label} (install Remote-SSH)` : a.label,
      command: a.command,
      withName: true,
    }));
}
