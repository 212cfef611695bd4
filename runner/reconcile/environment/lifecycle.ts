import {
  CONFIG_ORIGIN,
  type LifecycleCommand,
  type LifecycleHook,
  type LifecycleStep,
} from '../../devcontainer';
import type { ContainerProvider } from '../../providers/provider';
import { execLines } from './execLines';

export class LifecycleError extends Error {
  constructor(
    readonly hook: string,
    readonly commandName: string,
    readonly exitCode: number | null,
    readonly tail: string[],
    /** Whose command it was when not devcontainer.json's: a Feature, the image's metadata. */
    readonly origin?: string,
  ) {
    const last = tail
      .filter((l) => l.trim())
      .slice(-3)
      .join(' | ');
    const from = origin ? ` from ${origin}` : '';
    super(
      `${hook}${commandName !== hook ? ` (${commandName})` : ''}${from} failed with exit code ${exitCode ?? 'unknown'}${last ? `: ${last}` : ''}`,
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
  /** Whose commands these are when not devcontainer.json's (said in the log and in a failure). */
  origin?: string,
): Promise<void> {
  if (commands.length === 0) return;
  const from = origin ? ` from ${origin}` : '';
  run.log(`Running ${hook}${from}`);
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
      if (r.code !== 0) throw new LifecycleError(hook, c.name, r.code, r.tail, origin);
    }),
  );
  run.log(`${hook}${from} done`);
}

/**
 * Runs one hook's steps (lifecycleSteps: the image's, each Feature's, then devcontainer.json's) one
 * after another, each step's commands together; the first failure stops the hook.
 */
export async function runHookSteps(
  provider: ContainerProvider,
  containerId: string,
  hook: LifecycleHook,
  steps: readonly LifecycleStep[],
  run: HookRun,
): Promise<void> {
  for (const step of steps) {
    const origin = step.origin === CONFIG_ORIGIN ? undefined : step.origin;
    await runHook(provider, containerId, hook, step.commands, run, origin);
  }
}
