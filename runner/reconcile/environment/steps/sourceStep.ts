import { TerminalError } from '../../controller';
import { ensureSourceFolder } from '../source';
import type { StepContext } from './stepContext';

export interface SourceOutput {
  /** The source folder on the runner's machine: the given folder, or the clone of the git URL. */
  folder: string;
}

/** Source: the folder the configuration is read from, cloned first for a git source. */
export async function sourceStep(ctx: StepContext, sourcesDir: string): Promise<SourceOutput> {
  try {
    const { folder } = await ensureSourceFolder(ctx.env, sourcesDir, ctx.log, ctx.signal);
    return { folder };
  } catch (e) {
    const reason = e instanceof TerminalError ? 'SourceNotFound' : 'CloneFailed';
    ctx.draft.set('ConfigValid', 'False', reason, (e as Error).message);
    ctx.draft.set('Ready', 'False', reason, (e as Error).message);
    throw e;
  }
}
