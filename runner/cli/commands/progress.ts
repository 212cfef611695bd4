import type { Environment } from '../../api';
import type { RunnerClient } from '../../client/runnerClient';
import type { CliContext } from '../context';

/**
 * While waiting: the environment's log and phase changes on stderr. The log stream opens alongside
 * the caller's own requests (nothing waits for it).
 */
export function followProgress(ctx: CliContext, client: RunnerClient, name: string) {
  let lastPhase = '';
  const stream = client
    .stream('logs', { name, follow: true, tail: 0 }, (e) => process.stderr.write(e.data))
    .catch(() => undefined);
  return {
    onChange: (env: Environment) => {
      if (env.status.phase !== lastPhase) {
        lastPhase = env.status.phase;
        ctx.err(`==> ${name}: ${env.status.phase}`);
      }
    },
    stop: async () => {
      await (await stream)?.cancel();
    },
  };
}
