import type { LifecycleCommand, LifecycleHook } from '../../devcontainer';
import type { ContainerProvider } from '../../providers/provider';
import { execLines } from './execLines';

export class LifecycleError extends Error {
  constructor(
    readonly hook: string,
    readonly commandName: string,
    readonly exitCode: number | null,
    readonly tail: string[],
  ) {
    const last = tail
      .filter((l) => l.trim())
      .slice(-3)
      .join(' | ');
    super(
      `${hook}${commandName !== hook ? ` (${commandName})` : ''} failed with exit code ${exitCode ?? 'unknown'}${last ? `: ${last}` : ''}`,
    );
    this.name = 'LifecycleError';
  }
}

export interface HookRun {
  user: string;
  workdir: string;
  env: Record<string, string>;
  log: (line: string) => void;
  signal?: AbortSignal;
}

/**
 * Runs one lifecycle hook's commands. The object form's commands run in parallel
 * (as the spec says); any failure fails the hook.
 */
export async function runHook(
  provider: ContainerProvider,
  containerId: string,
  hook: LifecycleHook,
  commands: LifecycleCommand[],
  run: HookRun,
): Promise<void> {
  if (commands.length === 0) return;
  run.log(`Running ${hook}`);
  await Promise.all(
    commands.map(async (c) => {
      const cmd = c.argv ?? ['/bin/sh', '-c', c.shell ?? ''];
      const prefix = commands.length > 1 ? `${hook}:${c.name}` : hook;
      const r = await execLines(
        provider,
        containerId,
        { cmd, user: run.user, workdir: run.workdir, env: run.env },
        (line) => run.log(`${prefix} | ${line}`),
        run.signal,
      );
      if (r.code !== 0) throw new LifecycleError(hook, c.name, r.code, r.tail);
    }),
  );
  run.log(`${hook} done`);
}
