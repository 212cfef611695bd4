// Add SSH Host, Accept Host Key, Remove Host: Host resources the runner reaches over SSH.

import * as vscode from 'vscode';
import { hostName, hostResource, parseHostAddress } from '../../runner/client/hostAddress';
import type { Services } from '../services';
import { connectedClient } from './connected';
import { COMMANDS } from './commandIds';
import type { CommandHandlers } from './registry';

function hostFromArg(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && 'host' in arg && typeof arg.host === 'string') return arg.host;
  return undefined;
}

export function hostCommands(
  s: Services,
): Pick<CommandHandlers, 'devrig.addSshHost' | 'devrig.acceptHostKey' | 'devrig.removeHost'> {
  return {
    [COMMANDS.addSshHost]: async () => {
      const input = await vscode.window.showInputBox({
        title: 'Add SSH Host',
        prompt:
          'A machine devrig reaches over SSH (with your SSH agent or key) to run environments on its Docker engine',
        placeHolder: 'user@host or user@host:port',
        ignoreFocusOut: true,
        validateInput: (v) => {
          const a = parseHostAddress(v);
          return 'error' in a ? a.error : undefined;
        },
      });
      if (!input) return;
      const address = parseHostAddress(input);
      if ('error' in address) throw new Error(address.error);
      const client = await connectedClient(s);
      const name = hostName(address, new Set(s.cache.hosts().map((h) => h.metadata.name)));
      await client.call('apply', { resource: hostResource(name, address) });
      s.log.info(`added host ${name} (${input})`);
      void vscode.window.showInformationMessage(
        `devrig: added host ${name}. The runner connects to it and asks you to accept its host key.`,
      );
    },
    [COMMANDS.acceptHostKey]: async (arg?: unknown) => {
      const name = hostFromArg(arg);
      const host = s.cache.hosts().find((h) => h.metadata.name === name);
      const key = host?.status.observedHostKey;
      if (!host || !key) throw new Error(`host ${name ?? '?'} has no host key to accept`);
      const ok = await vscode.window.showWarningMessage(
        `Trust the host key of ${host.spec.address}?`,
        {
          modal: true,
          detail: `Fingerprint ${host.status.observedHostKeyFingerprint ?? '(unknown)'}. Compare it with the one the machine's administrator gives you.`,
        },
        'Trust',
      );
      if (ok !== 'Trust') return;
      const client = await connectedClient(s);
      await client.call('host.acceptKey', { name: host.metadata.name, hostKey: key });
    },
    [COMMANDS.removeHost]: async (arg?: unknown) => {
      const name = hostFromArg(arg);
      if (!name) throw new Error('Remove Host needs a host from the devrig tree');
      const ok = await vscode.window.showWarningMessage(
        `Remove host ${name} from devrig?`,
        { modal: true },
        'Remove',
      );
      if (ok !== 'Remove') return;
      const client = await connectedClient(s);
      await client.call('delete', { kind: 'Host', name });
    },
  };
}
