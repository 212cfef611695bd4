import { runLogged } from '../util/runLogged';

/**
 * Runs git on the runner's machine (the user's own credentials), its output line by line to
 * `log`. A background process must never wait for a password prompt: prompts are turned off.
 */
export function runGit(args: string[], log: (line: string) => void, signal?: AbortSignal): Promise<number> {
  return runLogged(
    'git',
    args,
    { env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true' } },
    log,
    signal,
  );
}
