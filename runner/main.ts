import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Runner } from './runner';
import { superviseShutdown } from './shutdown';
import { LockHeldError } from './state/lock';
import { resolveStateDir } from './state/stateDir';
import { StoreDamagedError } from './store/storeDamage';
import { repairCommand } from './store/repairCommand';
import { CANNOT_START } from './client/launch';
import { parseLargeConfigsWith } from './devcontainer/parse';
import { configParserThread } from './devcontainer/parseThread';

/** `node dist/runner.js [--state-dir DIR] [--port N] [--repair]`: the runner daemon (or a store repair). */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'state-dir': { type: 'string' }, port: { type: 'string' }, repair: { type: 'boolean' } },
  });
  const stateDir = values['state-dir'] ?? resolveStateDir();
  if (values.repair) {
    // `devrig runner repair`: the store is this program's, so this program repairs it.
    process.exitCode = await repairCommand(
      stateDir,
      (l) => console.log(l),
      (l) => console.error(l),
    );
    return;
  }
  let runner: Runner;
  try {
    runner = await Runner.start({ stateDir, port: values.port ? Number(values.port) : undefined });
  } catch (e) {
    if (e instanceof LockHeldError) {
      console.error(`devrig runner: already running (pid ${e.pid})`);
      process.exit(3);
    }
    // One line that says why (clients show it: see startFailure), then where, for a bug report.
    console.error(`${CANNOT_START}${(e as Error)?.message ?? e}`);
    if (!(e instanceof StoreDamagedError)) console.error((e as Error)?.stack ?? '');
    process.exit(1);
  }
  process.on('unhandledRejection', (e) => console.error(`unhandled rejection: ${(e as Error)?.stack ?? e}`));
  superviseShutdown(runner, {
    signals: process,
    exit: (code) => process.exit(code),
    log: (m) => console.error(`${new Date().toISOString()} ${m}`),
  });
}

// Large configs are parsed on a thread of their own (runner/devcontainer/parseThread.ts), from the
// bundle beside this one; without it (a runner run from source) they are parsed here.
const parserScript = join(__dirname, 'config-parser.js');
if (existsSync(parserScript)) parseLargeConfigsWith(configParserThread(parserScript));
void main();
