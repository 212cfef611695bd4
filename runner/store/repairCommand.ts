import { acquireLock, LockHeldError } from '../state/lock';
import { statePaths } from '../state/stateDir';
import { repairStore } from './repair';

/**
 * `devrig runner repair` (run as `runner.js --repair`): makes a damaged store load again (see
 * repairStore), with the runner stopped (its lock held here meanwhile, so none starts on the store
 * while it is rewritten). Prints what it kept and what it could not read.
 */
export async function repairCommand(
  stateDir: string,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  const paths = statePaths(stateDir);
  let lock;
  try {
    lock = await acquireLock(paths.lock);
  } catch (e) {
    if (!(e instanceof LockHeldError)) throw e;
    err(
      `devrig runner repair: the runner is running (pid ${e.pid}); stop it first with \`devrig runner stop\``,
    );
    return 1;
  }
  try {
    const report = await repairStore(paths.store);
    if (!report.repaired) {
      out(`the store in ${paths.store} loads as it is: nothing to repair`);
      return 0;
    }
    out(
      `repaired ${paths.store}: ${report.objects} objects at resourceVersion ${report.resourceVersion}, ` +
        `${report.records} journal records kept`,
    );
    for (const p of report.unreadable) {
      out(`  unreadable: ${p.file}: bytes ${p.offset}–${p.offset + p.length}: ${p.problem}`);
    }
    if (report.missing.length) out(`  lost changes: resourceVersions ${report.missing.join(', ')}`);
    for (const note of report.notes) out(`  ${note}`);
    out(`the original files and a list of what could not be read are in ${report.backup}`);
    return 0;
  } finally {
    await lock.release();
  }
}
