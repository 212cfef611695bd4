import type { Environment } from '../../api';
import type { RunnerClient } from '../../client/runnerClient';
import type { CliContext } from '../context';

/** While waiting: the environment's log and phase changes on stderr. */
export async function followProgress(ctx: CliContext, client: RunnerClient, name: string) {
  let lastPhase = '';
  const h = await client
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
      await h?.cancel();
    },
  };
}
