import { spawn } from 'node:child_process';
import { lines } from './lines';

export interface RunLoggedOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs a program on the runner's machine, no input, its output (stdout and stderr) line by line to
 * `log`: blank lines are left out and a lone `\r` (progress redrawing its line) ends a line too.
 * Resolves with the exit code (-1 when killed by a signal); aborting `signal` kills the program and
 * rejects.
 */
export function runLogged(
  cmd: string,
  args: readonly string[],
  opts: RunLoggedOptions,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal,
    });
    const onLine = (l: string) => {
      if (l.trim()) log(l);
    };
    lines(child.stdout, onLine, { crIsBreak: true });
    lines(child.stderr, onLine, { crIsBreak: true });
    child.on('error', (e) => reject(new Error(`cannot run ${cmd}: ${e.message}`, { cause: e })));
    child.on('close', (code) => resolve(code ?? -1));
  });
}
