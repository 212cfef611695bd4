// bench/activation.ts: the extension's activation cost. Prints dist/extension.js's size and, over
// several fresh Node processes, how long loading the bundle and activate() take (with a fake `vscode`),
// plus how long after activate() the runner connection is up, which activate does not wait for.
//   npm run build -- --production && node --import tsx bench/activation.ts [runs]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { performance } from 'node:perf_hooks';
import { processAlive } from '../runner/state/lock';
import { readRunnerInfo } from '../runner/state/runnerInfo';
import { statePaths } from '../runner/state/stateDir';
import { removeByRunnerId, ROOT } from '../test/helpers/runnerProcess';
import { fakeVscode } from './fakeVscode';
import { median } from './stats';

const ms = (n: number) => `${n.toFixed(1)} ms`;

const BUNDLE = join(ROOT, 'dist/extension.js');

interface Sample {
  loadMs: number;
  activateMs: number;
  /** From the end of activate() to the tree's first list (runner started if needed). */
  connectedAfterMs: number;
  startedRunner: boolean;
}

/** One measurement in this (fresh) process. */
async function once(stateDir: string): Promise<Sample> {
  const folder = mkdtempSync(join(tmpdir(), 'devrig-bench-folder-'));
  const vscode = fakeVscode({
    folder,
    settings: { 'devrig.autoStart': 'off', 'devrig.runner.stateDir': stateDir },
  });
  const load = (Module as unknown as { _load: (r: string, ...a: unknown[]) => unknown })._load;
  (Module as unknown as { _load: unknown })._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? vscode : load.call(this, request, ...rest);
  };
  const hadRunner = !!(await readRunnerInfo(statePaths(stateDir).info));
  const t0 = performance.now();
  // A plain CommonJS load, as VS Code's extension host does it.
  const ext = Module.createRequire(__filename)(BUNDLE) as {
    activate(ctx: unknown): void;
    deactivate(): void;
  };
  const t1 = performance.now();
  const subscriptions: { dispose(): void }[] = [];
  const memento = { get: () => undefined, update: async () => {}, keys: () => [] };
  ext.activate({ subscriptions, extensionPath: ROOT, workspaceState: memento, globalState: memento });
  const t2 = performance.now();
  // The runner connection runs in the background; wait for it by watching the state file appear and answer.
  const { tryConnect } = await import('../runner/client/launch');
  for (;;) {
    const c = await tryConnect(stateDir, 'bench');
    if (c) {
      c.close();
      break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const t3 = performance.now();
  for (const s of subscriptions) s.dispose();
  rmSync(folder, { recursive: true, force: true });
  return { loadMs: t1 - t0, activateMs: t2 - t1, connectedAfterMs: t3 - t2, startedRunner: !hadRunner };
}

async function main(): Promise<void> {
  if (process.argv[2] === '--once') {
    const sample = await once(process.argv[3]!);
    process.stdout.write(JSON.stringify(sample) + '\n');
    process.exit(0);
  }
  const runs = Number(process.argv[2] ?? 7);
  const bytes = statSync(BUNDLE).size;
  const gz = gzipSync(readFileSync(BUNDLE)).length;
  console.log(`dist/extension.js: ${(bytes / 1024).toFixed(0)} KiB (${(gz / 1024).toFixed(0)} KiB gzipped)`);
  const stateDir = mkdtempSync(join(tmpdir(), 'devrig-bench-state-'));
  const samples: Sample[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--once', stateDir], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`bench run failed: ${r.stderr}`);
      samples.push(JSON.parse(r.stdout.trim().split('\n').pop()!));
    }
  } finally {
    const info = await readRunnerInfo(statePaths(stateDir).info);
    if (info && processAlive(info.pid)) process.kill(info.pid, 'SIGKILL');
    await removeByRunnerId(stateDir);
    rmSync(stateDir, { recursive: true, force: true });
  }
  const first = samples[0]!;
  const rest = samples.slice(1);
  console.log(`runs: ${runs} fresh Node processes (fake vscode module)`);
  console.log(`load bundle (require):  median ${ms(median(samples.map((s) => s.loadMs)))}`);
  console.log(
    `activate():             median ${ms(median(samples.map((s) => s.activateMs)))}, max ${ms(Math.max(...samples.map((s) => s.activateMs)))}`,
  );
  console.log(
    `runner connected after activate returned: ${ms(first.connectedAfterMs)} when it had to start the runner; median ${ms(median(rest.map((s) => s.connectedAfterMs)))} with a runner running`,
  );
  if (!first.startedRunner) throw new Error('the first run was meant to start the runner');
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
