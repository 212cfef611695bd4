import type * as ChildProcess from 'node:child_process';
import { parseArgs } from 'node:util';
import { API_VERSION } from '../../api/version';
import { UsageError } from '../args';
import type { CliContext } from '../context';
import { defaultRunnerScript, stopRunnerAndWait, tryConnect } from '../../client/launch';
import { readRunnerInfo } from '../../state/runnerInfo';
import { statePaths } from '../../state/stateDir';
import { OUTPUT_OPTION, outputFormat, printStructured } from '../outputFormat';

export async function runnerCmd(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OUTPUT_OPTION });
  const [verb, ...extra] = positionals;
  if (extra.length) throw new UsageError('runner start|stop|status');
  const format = outputFormat(values.output);
  const paths = statePaths(ctx.stateDir);
  switch (verb) {
    case 'start': {
      const c = await ctx.client();
      if (format) {
        await printStructured(ctx, format, {
          running: true,
          pid: c.runnerPid,
          version: c.runnerVersion,
          apiVersion: c.runnerApiVersion,
          stateDir: ctx.stateDir,
        });
      } else ctx.out(`runner ${c.runnerVersion} running (pid ${c.runnerPid}, state ${ctx.stateDir})`);
      return 0;
    }
    case 'status': {
      const info = await readRunnerInfo(paths.info);
      const c = await tryConnect(ctx.stateDir, 'cli');
      if (!c || !info) {
        c?.close();
        if (format) await printStructured(ctx, format, { running: false, stateDir: ctx.stateDir });
        else ctx.out(`runner not running (state ${ctx.stateDir})`);
        return 1;
      }
      c.close();
      if (format) {
        // What scripts ask for: which process, where it listens, and whether it speaks our API.
        await printStructured(ctx, format, {
          running: true,
          pid: c.runnerPid,
          version: c.runnerVersion,
          apiVersion: c.runnerApiVersion,
          apiVersionMatches: c.runnerApiVersion === API_VERSION,
          port: info.port,
          ...(info.sshPort !== undefined ? { sshPort: info.sshPort } : {}),
          startedAt: info.startedAt,
          stateDir: ctx.stateDir,
        });
        return 0;
      }
      ctx.out(
        `runner ${c.runnerVersion} running: pid ${c.runnerPid}, API 127.0.0.1:${info.port}, since ${info.startedAt}`,
      );
      if (c.runnerApiVersion !== API_VERSION) {
        ctx.out(
          `it speaks API v${c.runnerApiVersion}; this devrig speaks v${API_VERSION}: stop it with \`devrig runner stop\``,
        );
      }
      return 0;
    }
    case 'stop': {
      const c = await tryConnect(ctx.stateDir, 'cli');
      if (!c) {
        if (format) await printStructured(ctx, format, { stopped: false, running: false });
        else ctx.out('runner not running');
        return 0;
      }
      const pid = await stopRunnerAndWait(c);
      if (format) await printStructured(ctx, format, { stopped: true, pid });
      else ctx.out(`runner stopped (pid ${pid}); environments keep running`);
      return 0;
    }
    case 'repair':
      return repair(ctx);
    default:
      throw new UsageError('runner start|stop|status|repair [-o json|yaml]');
  }
}

/**
 * `devrig runner repair`: makes a damaged store load again. The runner program does it (the store is
 * the daemon's), with its lock held so no runner starts on the store while it is rewritten.
 */
async function repair(ctx: CliContext): Promise<number> {
  const { spawn } = module.require('node:child_process') as typeof ChildProcess;
  // Its output goes straight to ours: written by it, complete when it exits.
  const child = spawn(process.execPath, [defaultRunnerScript(), '--state-dir', ctx.stateDir, '--repair'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code ?? 1));
  });
}
