// Every command the extension registers, in one place. package.json's contributes.commands must list
// exactly these (a unit test checks both directions and that menus only name them). Pure.

export const COMMANDS = {
  createEnvironment: 'devrig.createEnvironment',
  createEnvironmentFromWorkspace: 'devrig.createEnvironmentFromWorkspace',
  start: 'devrig.start',
  retry: 'devrig.retry',
  stop: 'devrig.stop',
  restart: 'devrig.restart',
  rebuild: 'devrig.rebuild',
  delete: 'devrig.delete',
  openInRemoteSsh: 'devrig.openInRemoteSsh',
  openInRemoteSshNewWindow: 'devrig.openInRemoteSshNewWindow',
  reopenInEnvironment: 'devrig.reopenInEnvironment',
  reopenFolderLocally: 'devrig.reopenFolderLocally',
  openConfig: 'devrig.openConfig',
  forgetFolderChoices: 'devrig.forgetFolderChoices',
  openTerminal: 'devrig.openTerminal',
  showLogs: 'devrig.showLogs',
  copySshCommand: 'devrig.copySshCommand',
  showDetails: 'devrig.showDetails',
  keepRunning: 'devrig.keepRunning',
  openPort: 'devrig.openPort',
  runAutomation: 'devrig.runAutomation',
  stopAutomation: 'devrig.stopAutomation',
  statusBarActions: 'devrig.statusBarActions',
  refresh: 'devrig.refresh',
  addSshHost: 'devrig.addSshHost',
  acceptHostKey: 'devrig.acceptHostKey',
  removeHost: 'devrig.removeHost',
  runnerRestart: 'devrig.runner.restart',
  runnerShowLog: 'devrig.runner.showLog',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

export const COMMAND_IDS: readonly CommandId[] = Object.values(COMMANDS);
