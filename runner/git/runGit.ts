import { spawn } from 'node:child_process';

/**
 * Runs git on the runner's machine (the user's own credentials), its output line by line to
 * `log`. A background process must never wait for a password prompt: prompts are turned off.
 */
export function runGit(args: string[], log: (line: string) => void, signal?: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      signal,
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true' },
    });
    const onData = (d: Buffer) => {
      for (const l of d.toString().split(/[\r\n]+/)) if (l.trim()) log(l);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => reject(new Error(`cannot run git: ${e.message}`, { cause: e })));
    child.on('close', (code) => resolve(code ?? -1));
  });
}
