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
    case 'repair':
      return repair(ctx);
    default:
      throw new UsageError('runner start|stop|status|repair');
  }
}

/**
 * `devrig runner repair`: makes a damaged store load again (see repairStore), with the runner stopped
 * (its lock held here meanwhile, so none starts on the store while it is rewritten).
 */
async function repair(ctx: CliContext): Promise<number> {
  const { acquireLock, LockHeldError } = await import('../../state/lock');
  const { repairStore } = await import('../../store/repair');
  const paths = statePaths(ctx.stateDir);
  let lock;
  try {
    lock = await acquireLock(paths.lock);
  } catch (e) {
    if (!(e instanceof LockHeldError)) throw e;
    ctx.err(
      `devrig runner repair: the runner is running (pid ${e.pid}); stop it first with \`devrig runner stop\``,
    );
    return 1;
  }
  try {
    const report = await repairStore(paths.store);
    if (!report.repaired) {
      ctx.out(`the store in ${paths.store} loads as it is: nothing to repair`);
      return 0;
    }
    ctx.out(
      `repaired ${paths.store}: ${report.objects} objects at resourceVersion ${report.resourceVersion}, ` +
        `${report.records} journal records kept`,
    );
    for (const p of report.unreadable) {
      ctx.out(`  unreadable: ${p.file}: bytes ${p.offset}–${p.offset + p.length}: ${p.problem}`);
    }
    if (report.missing.length) ctx.out(`  lost changes: resourceVersions ${report.missing.join(', ')}`);
    for (const note of report.notes) ctx.out(`  ${note}`);
    ctx.out(`the original files and a list of what could not be read are in ${report.backup}`);
    return 0;
  } finally {
    await lock.release();
  }
}
