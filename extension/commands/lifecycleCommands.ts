// Start, Retry, Stop, Restart, Rebuild, Delete.

import * as vscode from 'vscode';
import type { Environment } from '../../runner/api';
import { applyLifecycle, targetPhase, type LifecycleVerb } from '../environments/desiredState';
import { canDo, type EnvironmentVerb } from '../../runner/presentation/verbs';
import { displayName } from '../../runner/presentation/displayName';
import type { WaitResult } from '../environments/waitForEnvironment';
import { offerNextStep } from '../journey/nextStepOffer';
import type { Services } from '../services';
import { connectedClient } from './connected';
import { COMMANDS } from './commandIds';
import { followWithProgress } from './progress';
import type { CommandHandlers } from './registry';
import { resolveEnvironment } from './targets';

/** What the UI can ask of an environment's lifecycle: the spec verbs and Retry. */
export type UiLifecycleVerb = LifecycleVerb | 'retry';

const TITLES: Record<UiLifecycleVerb, string> = {
  start: 'Starting',
  retry: 'Retrying',
  stop: 'Stopping',
  restart: 'Restarting',
  rebuild: 'Rebuilding',
};

/** Which environments the picker offers: those whose state allows the verb (the tree's menus agree). */
const offers =
  (verb: EnvironmentVerb) =>
  (e: Environment): boolean =>
    canDo(e, verb);

export interface RunOptions {
  /** The user asked for it: once it is running, offer the next step (Reopen / Terminal). */
  offerNext?: boolean;
}

/**
 * Applies `verb` to `name` and follows it in a progress notification. Retry is a restart token on a
 * Running spec, like `devrig up` on a failed environment: a new generation, so the runner tries again
 * at once and failed lifecycle commands run again.
 */
export async function runLifecycle(
  s: Services,
  name: string,
  verb: UiLifecycleVerb,
  opts: RunOptions = {},
): Promise<WaitResult> {
  const client = await connectedClient(s);
  const applied = await applyLifecycle(client, name, verb === 'retry' ? 'restart' : verb, {
    known: s.cache.environment(name),
  });
  s.log.info(`${verb} ${name} (generation ${applied.metadata.generation})`);
  const result = await followWithProgress(s, {
    verb: TITLES[verb],
    name,
    generation: applied.metadata.generation,
    want: targetPhase(verb === 'retry' ? 'start' : verb),
    // Cancel while it comes up: back to Stopped (the build or pull is aborted by the runner).
    cancel: verb === 'stop' ? 'none' : 'stop',
  });
  if (result.state === 'done' && opts.offerNext && verb !== 'stop') void offerNextStep(s, name);
  return result;
}

export function lifecycleCommands(
  s: Services,
): Pick<
  CommandHandlers,
  'devrig.start' | 'devrig.retry' | 'devrig.stop' | 'devrig.restart' | 'devrig.rebuild' | 'devrig.delete'
> {
  const verb = (v: UiLifecycleVerb) => async (arg?: unknown) => {
    const name = await resolveEnvironment(s, arg, { placeHolder: `Environment to ${v}`, filter: offers(v) });
    await runLifecycle(s, name, v, { offerNext: v === 'start' || v === 'retry' });
  };
  return {
    [COMMANDS.start]: verb('start'),
    [COMMANDS.retry]: verb('retry'),
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
        `Delete environment "${displayName(env, name)}"?`,
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
        verb: 'Deleting',
        name,
        generation: marked.metadata.generation,
        want: 'Deleted',
        cancel: 'none',
      });
    },
  };
}
