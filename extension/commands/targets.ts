// Which environment a command is about: the tree node or name it was given, else the open folder's
// environment, else the user picks one.

import * as vscode from 'vscode';
import type { Environment } from '../../runner/api';
import type { Services } from '../services';
import { connectedClient } from './connected';
import { ENVIRONMENT_ICONS } from '../../runner/presentation/phaseStyle';
import { phaseDescription } from '../../runner/presentation/reasonText';

/** The environment name carried by a command argument (a tree node, `{environment}` or a plain name). */
export function nameFromArg(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg) return arg;
  if (arg && typeof arg === 'object' && 'environment' in arg && typeof arg.environment === 'string') {
    return arg.environment;
  }
  return undefined;
}

export async function resolveEnvironment(
  s: Services,
  arg: unknown,
  opts: { placeHolder: string; filter?: (env: Environment) => boolean },
): Promise<string> {
  const given = nameFromArg(arg);
  if (given) return given;
  await s.workspace.ready();
  const filter = opts.filter ?? (() => true);
  const own = s.workspace.environment();
  if (own && filter(own)) return own.metadata.name;
  if (!s.cache.hasData) {
    await connectedClient(s);
    await s.cache.whenSynced();
  }
  const envs = s.cache.environments().filter(filter);
  if (envs.length === 0) {
    throw new Error(
      s.cache.environments().length
        ? 'no environment is in a state for this'
        : 'there are no environments yet',
    );
  }
  const picked = await vscode.window.showQuickPick(
    envs
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .map((e) => ({
        label: `$(${ENVIRONMENT_ICONS[e.status.phase].id}) ${e.metadata.name}`,
        description: phaseDescription(e),
        detail: e.spec.source.folder ?? e.spec.source.git?.url,
        name: e.metadata.name,
      })),
    { placeHolder: opts.placeHolder, matchOnDescription: true, matchOnDetail: true },
  );
  if (!picked) throw new vscode.CancellationError();
  return picked.name;
}
