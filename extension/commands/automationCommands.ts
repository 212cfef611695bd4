// Run a task / start a service, and stop one, from the automation rows of the tree.

import * as vscode from 'vscode';
import type { Services } from '../services';
import { connectedClient } from './connected';
import { COMMANDS } from './commandIds';
import type { CommandHandlers } from './registry';

function automationFromArg(arg: unknown): { env: string; kind: 'service' | 'task'; id: string } {
  const node = arg as { environment?: unknown; automation?: { kind?: unknown; id?: unknown } } | undefined;
  const a = node?.automation;
  if (
    typeof node?.environment !== 'string' ||
    !a ||
    typeof a.id !== 'string' ||
    (a.kind !== 'service' && a.kind !== 'task')
  ) {
    throw new Error('this command needs an automation from the devrig tree');
  }
  return { env: node.environment, kind: a.kind, id: a.id };
}

export function automationCommands(
  s: Services,
): Pick<CommandHandlers, 'devrig.runAutomation' | 'devrig.stopAutomation'> {
  return {
    [COMMANDS.runAutomation]: async (arg?: unknown) => {
      const a = automationFromArg(arg);
      const client = await connectedClient(s);
      await client.call(a.kind === 'task' ? 'automations.run' : 'automations.start', {
        name: a.env,
        id: a.id,
      });
      s.log.info(`${a.kind === 'task' ? 'ran' : 'started'} ${a.kind} ${a.id} in ${a.env}`);
    },
    [COMMANDS.stopAutomation]: async (arg?: unknown) => {
      const a = automationFromArg(arg);
      const client = await connectedClient(s);
      await client.call('automations.stop', { name: a.env, id: a.id });
      void vscode.window.setStatusBarMessage(`devrig: stopping ${a.id} in ${a.env}`, 3000);
    },
  };
}
