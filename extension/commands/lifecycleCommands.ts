// Start, Stop, Restart, Rebuild, Delete.

import * as vscode from 'vscode';
import type { Environment } from '../../runner/api';
import { applyLifecycle, targetPhase, type LifecycleVerb } from '../environments/desiredState';
import { canDo, type EnvironmentVerb } from '../../runner/presentation/verbs';
import type { WaitResult } from '../environments/waitForEnvironment';
import type { Services } from '../services';
import { connectedClient } from './connected';
import { COMMANDS } from './commandIds';
import { followWithProgress } from './progress';
import type { CommandHandlers } from './registry';
import { resolveEnvironment } from './targets';

const TITLES: Record<LifecycleVerb, string> = {
  start: 'Starting',
  stop: 'Stopping',
  restart: 'Restarting',
  rebuild: 'Rebuilding',
};

/** Which environments the picker offers: those whose state allows the verb (the tree's menus agree). */
const offers =
  (verb: EnvironmentVerb) =>
  (e: Environment): boolean =>
    canDo(e, verb);

/** Applies `verb` to `name` and follows it in a progress notification. */
export async function runLifecycle(s: Services, name: string, verb: LifecycleVerb): Promise<WaitResult> {
  const client = await connectedClient(s);
  const applied = await applyLifecycle(client, name, verb, { known: s.cache.environment(name) });
  s.log.info(`${verb} ${name} (generation ${applied.metadata.generation})`);
  return followWithProgress(s, {
    title: `devrig: ${TITLES[verb]} ${name}`,
    name,
    generation: applied.metadata.generation,
    want: targetPhase(verb),
  });
}

export function lifecycleCommands(
  s: Services,
): Pick<
  CommandHandlers,
  'devrig.start' | 'devrig.stop' | 'devrig.restart' | 'devrig.rebuild' | 'devrig.delete'
> {
  const verb = (v: LifecycleVerb) => async (arg?: unknown) => {
    const name = await resolveEnvironment(s, arg, { placeHolder: `Environment to ${v}`, filter: offers(v) });
    await runLifecycle(s, name, v);
  };
  return {
    [COMMANDS.start]: verb('start'),
    [COMMANDS.stop]: verb('stop'),
    [COMMANDS.restart]: verb('restart'),
    [COMMANDS.rebuild]: verb('rebuild'),
    [COMMANDS.delete]: async (arg?: unknown) => {
      const name = await resolveEnvironment(s, arg, {
        placeHolder: 'Environment to delete',
        filter: offers('delete'),
      });
      const env = s.cache.environment(name);
      const local = env?.spec.source.folder;
      const answer = await vscode.window.showWarningMessage(
        `Delete environment "${name}"?`,
        {
          modal: true,
          detail:
            'Its container and workspace volume are removed.' +
            (local
              ? ` The folder ${local} on this machine is kept.`
              : ' Uncommitted work inside it is lost.'),
        },
        'Delete',
      );
      if (answer !== 'Delete') return;
      const client = await connectedClient(s);
      const marked = await client.call('delete', { kind: 'Environment', name });
      await followWithProgress(s, {
        title: `devrig: Deleting ${name}`,
        name,
        generation: marked.metadata.generation,
        want: 'Deleted',
      });
    },
  };
}
