import type { ResolvedDevcontainer } from '../../../devcontainer';
import { assertInitializeAllowed, type ConsentCheck } from '../consent';
import { runOnHost } from '../source';
import type { StepContext } from './stepContext';

/**
 * initializeCommand: runs on the runner's machine, in the source folder, before every container
 * create and start (the container step calls it then), and only with consent where its source needs it.
 */
export async function initializeStep(
  ctx: StepContext,
  resolved: ResolvedDevcontainer,
  folder: string,
  consent: ConsentCheck,
): Promise<void> {
  const { draft, log, signal } = ctx;
  // The last guard: never without consent when its source needs it.
  assertInitializeAllowed(consent);
  for (const c of resolved.lifecycle.initializeCommand) {
    log('Running initializeCommand on this machine');
    const code = await runOnHost(c, folder, (l) => log(`initializeCommand | ${l}`), signal);
    if (code !== 0) {
      const msg = `initializeCommand failed with exit code ${code}`;
      draft.set('LifecycleComplete', 'False', 'InitializeCommandFailed', msg);
      draft.set('Ready', 'False', 'InitializeCommandFailed', msg);
      throw new Error(msg);
    }
  }
}
