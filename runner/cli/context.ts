import { connectRunner } from '../client/launch';
import type { RunnerClient } from '../client/runnerClient';
import { resolveStateDir } from '../state/stateDir';

export interface CliContext {
  stateDir: string;
  /** Connects to the runner, starting it when absent. */
  client(): Promise<RunnerClient>;
  out(text: string): void;
  err(text: string): void;
  close(): void;
}

export function cliContext(): CliContext {
  const stateDir = resolveStateDir();
  let client: Promise<RunnerClient> | undefined;
  return {
    stateDir,
    client: () => (client ??= connectRunner({ stateDir, client: 'cli', autoStart: true })),
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
    close: () =>
      void client?.then(
        (c) => c.close(),
        () => {},
      ),
  };
}
