// Opens a devcontainer config in an editor, at the error's line and column when there is one.

import * as vscode from 'vscode';
import { configLocation } from '../../runner/presentation/configLocation';
import { failureSummary } from '../../runner/presentation/failureSummary';
import { resolveEnvironment } from '../commands/targets';
import type { Services } from '../services';

/** Opens `file` with the cursor at `line`:`column` (1-based), revealed in the middle of the editor. */
export async function openConfigAt(file: string, line?: number, column?: number): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const at = line ? new vscode.Position(Math.max(0, line - 1), Math.max(0, (column ?? 1) - 1)) : undefined;
  await vscode.window.showTextDocument(doc, {
    preview: false,
    ...(at ? { selection: new vscode.Range(at, at) } : {}),
  });
  if (at)
    vscode.window.activeTextEditor?.revealRange(
      new vscode.Range(at, at),
      vscode.TextEditorRevealType.InCenter,
    );
}

/** `devrig.openConfig [name]`: the environment's config, at its error if it has one. */
export async function openEnvironmentConfig(s: Services, arg: unknown): Promise<void> {
  await s.workspace.ready();
  const folderConfig = s.workspace.folder?.configs[0];
  const named = typeof arg === 'string' || (arg && typeof arg === 'object' && 'environment' in arg);
  const name =
    named || !folderConfig
      ? await resolveEnvironment(s, arg, { placeHolder: 'Environment whose configuration to open' })
      : undefined;
  const env = name ? s.cache.environment(name) : s.workspace.environment();
  const failure = env ? failureSummary(env) : undefined;
  const located =
    failure?.location ?? (env?.status.lastError ? configLocation(env.status.lastError) : undefined);
  const file = located?.file ?? failure?.configFile ?? env?.status.configFile ?? folderConfig;
  if (!file) throw new Error(`${name ?? 'this folder'} has no configuration file on this machine`);
  await openConfigAt(file, located?.line, located?.column);
}
