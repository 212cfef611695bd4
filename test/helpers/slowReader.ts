import { spawn } from 'node:child_process';
import { CLI_JS } from './runnerProcess';

export interface PipedResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs the devrig CLI with its stdout on a pipe that nobody reads until the command has finished its
 * work (the `exit` line of DEVRIG_TRACE on stderr): like `devrig logs NAME | less` before the user
 * scrolls. The pipe fills (64 KiB), so the rest of the output is still queued in the CLI process when
 * it is done; everything must reach the reader anyway. Then reads it all.
 */
export function runCliIntoPausedReader(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 300_000,
): Promise<PipedResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_JS, ...args], {
      env: { ...env, DEVRIG_TRACE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let stderr = '';
    let reading = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`devrig ${args.join(' ')} did not finish within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    const startReading = () => {
      if (reading) return;
      reading = true;
      child.stdout.on('data', (c: Buffer) => chunks.push(c));
      child.stdout.resume();
    };
    // Not flowing: Node reads up to its buffer's high-water mark, then the pipe fills.
    child.stdout.pause();
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/\] exit \(/.test(stderr)) startReading();
    });
    // Ended without saying it finished (it failed early): whatever it wrote is still to be read.
    child.on('exit', startReading);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(chunks), stderr });
    });
  });
}
