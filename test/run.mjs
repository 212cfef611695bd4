// Runs the test suites with node:test (TypeScript through tsx).
// `node test/run.mjs [unit|integration|e2e ...] [--only <substring>]`
// Unit tests run in parallel; integration and e2e share one Docker engine and a
// 2-core machine, so they run one file at a time.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const onlyIdx = args.indexOf('--only');
const only = onlyIdx >= 0 ? args.splice(onlyIdx, 2)[1] : undefined;
const suites = args.length ? args : ['unit', 'integration', 'e2e'];

function files(dir) {
  let out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries.sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(files(p));
    else if (e.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** How long a suite may take at most (several times its usual duration on a loaded 2-core machine). */
const SUITE_LIMIT_MS = { unit: 15 * 60_000, integration: 50 * 60_000, e2e: 20 * 60_000 };

let failed = false;
for (const suite of suites) {
  const list = files(join('test', suite)).filter((f) => !only || f.includes(only));
  if (list.length === 0) {
    console.error(`no test files in test/${suite}${only ? ` matching ${only}` : ''}`);
    failed = true;
    continue;
  }
  console.log(`\n=== ${suite}: ${list.length} files`);
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${suite === 'unit' ? 2 : 1}`,
      '--test-reporter=spec',
      ...(suite === 'unit' ? ['--test-timeout=120000'] : []),
      ...list,
    ],
    // Not --test-force-exit: it can end a file before its last results reach the reporter (tests
    // silently missing from the count). A file that never ends (a timer a failed test left) fails
    // the suite at this bound instead of hanging CI.
    { stdio: 'inherit', env: { ...process.env, DEVRIG_TEST_SUITE: suite }, timeout: SUITE_LIMIT_MS[suite] },
  );
  if (r.error || r.signal) {
    console.error(
      `\n${suite}: ended after ${SUITE_LIMIT_MS[suite] / 60_000} min (${r.error?.message ?? r.signal}): a test file did not end`,
    );
  }
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
