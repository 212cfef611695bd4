// Open Terminal, Show Logs, Show Details, Open Port, Keep Running.

import * as vscode from 'vscode';
import { forwardedPort } from '../../runner/presentation/forwardedPort';
import { canDo } from '../../runner/presentation/verbs';
import type { Services } from '../services';
import { connectedClient } from './connected';
import { ExecPseudoterminal } from '../terminal/execPseudoterminal';
import { COMMANDS } from './commandIds';
import { runLifecycle } from './lifecycleCommands';
import type { CommandHandlers } from './registry';
import { nameFromArg, resolveEnvironment } from './targets';

export function sessionCommands(
  s: Services,
): Pick<
  CommandHandlers,
  'devrig.openTerminal' | 'devrig.showLogs' | 'devrig.showDetails' | 'devrig.openPort' | 'devrig.keepRunning'
> {
  return {
    [COMMANDS.openTerminal]: async (arg?: unknown) => {
      const name = await resolveEnvironment(s, arg, {
        placeHolder: 'Environment to open a terminal in',
        filter: (e) => canDo(e, 'openTerminal'),
      });
      const env = s.cache.environment(name);
      if (env && env.status.phase !== 'Running') {
        const choice = await vscode.window.showInformationMessage(
          `Environment ${name} is ${env.status.phase}. Start it and open a terminal?`,
          'Start',
        );
        if (choice !== 'Start') return;
        if ((await runLifecycle(s, name, 'start')).state !== 'done') return;
      }
      const pty = new ExecPseudoterminal({
        name,
        client: (signal) => s.runner.whenConnected(signal),
        log: s.log,
      });
      const terminal = vscode.window.createTerminal({
        name: `devrig: ${name}`,
        pty,
        iconPath: new vscode.ThemeIcon('vm'),
      });
      terminal.show();
    },
    [COMMANDS.showLogs]: async (arg?: unknown) => {
      const name = await resolveEnvironment(s, arg, { placeHolder: 'Environment to show the logs of' });
      await s.logs.show(name);
    },
    [COMMANDS.showDetails]: async (arg?: unknown) => {
      const name = await resolveEnvironment(s, arg, { placeHolder: 'Environment to show' });
      await s.details.show(name);
    },
    [COMMANDS.keepRunning]: async (arg?: unknown) => {
      const name = await resolveEnvironment(s, arg, {
        placeHolder: 'Environment to keep running',
        filter: (e) => canDo(e, 'keepRunning'),
      });
      const client = await connectedClient(s);
      await client.call('keepalive', { name });
      const next = s.cache.environment(name)?.status.idleStopAt;
      void vscode.window.showInformationMessage(
        next
          ? `devrig: ${name} keeps running (idle stop moved past ${new Date(next).toLocaleTimeString()}).`
          : `devrig: ${name} keeps running.`,
      );
    },
    [COMMANDS.openPort]: async (arg?: unknown, portArg?: unknown) => {
      const name = nameFromArg(arg);
      const port =
        typeof portArg === 'number'
          ? portArg
          : arg && typeof arg === 'object' && 'port' in arg
            ? (arg.port as { port?: number } | undefined)?.port
            : undefined;
      if (!name || port === undefined) throw new Error('Open Port needs a port from the devrig tree');
      const { url } = forwardedPort(s.cache.environment(name), name, port);
      // In a remote or web workbench this maps the runner's 127.0.0.1 onto an address the browser reaches.
      const external = await vscode.env.asExternalUri(vscode.Uri.parse(url));
      await vscode.env.openExternal(external);
    },
  };
}
