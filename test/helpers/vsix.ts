// The packaged extension for end-to-end tests. Built in a staging folder (sources linked, its own dist/)
// so packaging never rewrites the checkout's dist/ while other suites use it. DEVRIG_E2E_VSIX skips the
// build and uses a VSIX made elsewhere (e.g. by `npm run package`).

import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './runnerProcess';

let built: string | undefined;

export function packagedVsix(): string {
  const given = process.env.DEVRIG_E2E_VSIX;
  if (given) {
    if (!existsSync(given)) throw new Error(`DEVRIG_E2E_VSIX=${given} does not exist`);
    return given;
  }
  if (built) return built;
  const stage = mkdtempSync(join(tmpdir(), 'devrig-vsix-'));
  process.once('exit', () => rmSync(stage, { recursive: true, force: true }));
  for (const linked of ['runner', 'extension', 'webview', 'node_modules', 'esbuild.mjs', 'tsconfig.json']) {
    symlinkSync(join(ROOT, linked), join(stage, linked));
  }
  // Copied, not linked: vsce does not follow linked folders, and reads these from its working folder.
  const copied = ['package.json', 'README.md', '.vscodeignore', 'resources'];
  for (const f of readdirSync(ROOT)) if (/^LICENSE/.test(f)) copied.push(f);
  for (const f of copied)
    if (existsSync(join(ROOT, f))) cpSync(join(ROOT, f), join(stage, f), { recursive: true });
  const run = (cmd: string, args: string[]) =>
    execFileSync(cmd, args, { cwd: stage, stdio: ['ignore', 'pipe', 'inherit'], timeout: 300_000 });
  run(process.execPath, ['esbuild.mjs', '--production']);
  const out = join(stage, 'devrig.vsix');
  run(process.execPath, [
    join(ROOT, 'node_modules/@vscode/vsce/vsce'),
    'package',
    '--no-dependencies',
    '--allow-missing-repository',
    // README's screenshots are repository-relative; there is no public repository URL to point them at.
    '--no-rewrite-relative-links',
    '--skip-license',
    '-o',
    out,
  ]);
  built = out;
  return out;
}
