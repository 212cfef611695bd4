import { API_VERSION } from '../../api/version';
import { UsageError } from '../args';
import type { CliContext } from '../context';
import { stopRunnerAndWait, tryConnect } from '../../client/launch';
import { readRunnerInfo } from '../../state/runnerInfo';
import { statePaths } from '../../state/stateDir';

export async function runnerCmd(ctx: CliContext, argv: string[]): Promise<number> {
  const [verb] = argv;
  const paths = statePaths(ctx.stateDir);
  switch (verb) {
    case 'start': {
      const c = await ctx.client();
      ctx.out(`runner ${c.runnerVersion} running (pid ${c.runnerPid}, state ${ctx.stateDir})`);
      return 0;
    }
    case 'status': {
      const info = await readRunnerInfo(paths.info);
      const c = await tryConnect(ctx.stateDir, 'cli');
      if (!c || !info) {
        ctx.out(`runner not running (state ${ctx.stateDir})`);
        return 1;
      }
      ctx.out(
        `runner ${c.runnerVersion} running: pid ${c.runnerPid}, API 127.0.0.1:${info.port}, since ${info.startedAt}`,
      );
      if (c.runnerApiVersion !== API_VERSION) {
        ctx.out(
          `it speaks API v${c.runnerApiVersion}; this devrig speaks v${API_VERSION}: stop it with \`devrig runner stop\``,
        );
      }
      c.close();
      return 0;
    }
    case 'stop': {
      const c = await tryConnect(ctx.stateDir, 'cli');
      if (!c) {
        ctx.out('runner not running');
        return 0;
      }
      const pid = await stopRunnerAndWait(c);
      ctx.out(`runner stopped (pid ${pid}); environments keep running`);
      return 0;
    }
    default:
      throw new UsageError('runner start|stop|status');
  }
}
