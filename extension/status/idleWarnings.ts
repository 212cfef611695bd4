// Warns before the open folder's environment is stopped for inactivity, with "Keep Running" (a
// keep-alive, which counts as activity). A timer per announced idleStopAt; nothing polls.

import * as vscode from 'vscode';
import { COMMANDS } from '../commands/commandIds';
import { idleWarning } from '../environments/idleWarning';
import type { Services } from '../services';
import { clearLongTimeout, setLongTimeout, type LongTimeout } from '../../runner/util/longTimeout';

export function watchIdleStops(s: Omit<Services, 'details'>): vscode.Disposable {
  let timer: LongTimeout | undefined;
  let scheduledFor: string | undefined;
  const warned = new Set<string>();
  const update = () => {
    const env = s.workspace.environment();
    const w = env && idleWarning(env);
    const key = env && w ? `${env.metadata.name}@${w.stopAt}` : undefined;
    if (key === scheduledFor) return;
    clearLongTimeout(timer);
    scheduledFor = key;
    if (!env || !w || !key || warned.has(key)) return;
    // Timeouts can be days: setTimeout would fire at once past 2^31 ms.
    timer = setLongTimeout(
      () => {
        warned.add(key);
        const at = new Date(w.stopAt).toLocaleTimeString();
        void vscode.window
          .showWarningMessage(
            `devrig: ${env.metadata.name} will be stopped at ${at} for inactivity.`,
            'Keep Running',
          )
          .then((c) => c && vscode.commands.executeCommand(COMMANDS.keepRunning, env.metadata.name));
      },
      Math.max(0, w.warnAt - Date.now()),
    );
  };
  s.cache.on('change', update);
  s.workspace.on('change', update);
  return new vscode.Disposable(() => {
    clearLongTimeout(timer);
    s.cache.off('change', update);
    s.workspace.off('change', update);
  });
}
