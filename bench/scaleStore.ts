// bench/scale.ts part (d): many environments in the store (Stopped: no containers). `devrig ls` (a
// fresh CLI process, as a user runs it) against `node -e 0` (a bare Node start), and the extension's
// tree against the same for an empty list: a fresh connection is listed and watched by the
// extension's ResourceCache, the tree model is built and a TreeItem made for every node (in plain
// Node with a fake `vscode`; VS Code's own drawing is not measured).
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { RunnerClient } from '../runner/client/runnerClient';
import { readRunnerInfo } from '../runner/state/runnerInfo';
import { statePaths } from '../runner/state/stateDir';
import { makeProject } from '../test/helpers/project';
import { cleanupRunner, CLI_JS, startRunner, testEnv, type TestRunner } from '../test/helpers/runnerProcess';
import { fakeVscode } from './fakeVscode';
import { inPhase, machineLoad, range, waitAll } from './scaleKit';
import { median, ms, ratio, timed } from './stats';

const RUNS = 15;

function run(args: string[], env: NodeJS.ProcessEnv): void {
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
}

/** The extension's modules, loaded with a fake `vscode` (they import it at the top). */
async function loadTree() {
  const vscode = fakeVscode({ folder: '/', settings: {} });
  const load = (Module as unknown as { _load: (r: string, ...a: unknown[]) => unknown })._load;
  (Module as unknown as { _load: unknown })._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? vscode : load.call(this, request, ...rest);
  };
  const { EnvironmentsTreeProvider } = await import('../extension/tree/environmentsTreeProvider');
  const { ResourceCache } = await import('../extension/runner/resourceCache');
  return { EnvironmentsTreeProvider, ResourceCache };
}

type Tree = Awaited<ReturnType<typeof loadTree>>;

/** One render on a fresh connection: list + watch, model, a TreeItem for every node. */
async function renderOnce(tree: Tree, r: TestRunner, empty: boolean): Promise<{ ms: number; items: number }> {
  const info = (await readRunnerInfo(statePaths(r.stateDir).info))!;
  const token = readFileSync(statePaths(r.stateDir).token, 'utf8').trim();
  const client = await RunnerClient.connect({ port: info.port, token, client: 'bench' });
  // The baseline lists through the same path, with a label nothing has: the same calls, no objects.
  const listing = {
    isOpen: true,
    call: ((method: string, params: Record<string, unknown>) =>
      client.call(
        method as 'list',
        (empty && method === 'list' ? { ...params, labels: { 'devrig-bench': 'none' } } : params) as never,
      )) as RunnerClient['call'],
    stream: ((method: 'watch', params: never, onEvent: never) =>
      client.stream(
        method,
        empty ? ({ ...(params as object), name: 'none' } as never) : params,
        onEvent,
      )) as RunnerClient['stream'],
  };
  const connection = Object.assign(new EventEmitter(), { state: { kind: 'connected', version: '', pid: 0 } });
  let items = 0;
  let attached: Promise<void> = Promise.resolve();
  const t = await timed(async () => {
    const cache = new tree.ResourceCache();
    const synced = cache.whenSynced();
    attached = cache.attach(listing);
    await synced;
    const provider = new tree.EnvironmentsTreeProvider(cache, connection as never);
    const walk = (nodes: ReturnType<typeof provider.getChildren>) => {
      for (const n of nodes) {
        provider.getTreeItem(n);
        items++;
        if (n.collapsible === 'expanded') walk(provider.getChildren(n));
      }
    };
    walk(provider.getChildren());
    provider.dispose();
  });
  // The watch opens after the first list (what the tree shows): not part of the render.
  await attached;
  listing.isOpen = false;
  client.close();
  return { ms: t, items };
}

export async function storeBench(count: number): Promise<void> {
  const r = await startRunner();
  try {
    const folder = makeProject({ image: 'devrig-test-base:bookworm' });
    const list = range(count).map((i) => `stored-${i}`);
    for (let i = 0; i < list.length; i += 50) {
      await Promise.all(
        list.slice(i, i + 50).map((name) =>
          r.client.call('apply', {
            resource: {
              kind: 'Environment',
              metadata: { name },
              spec: { source: { folder }, state: 'Stopped' },
            },
          }),
        ),
      );
    }
    await waitAll(r.client, list, inPhase('Stopped'), 'Stopped');
    const env = { ...testEnv(), DEVRIG_STATE_DIR: r.stateDir };
    const tree = await loadTree();
    const times = { ls: [] as number[], node: [] as number[], tree: [] as number[], trivial: [] as number[] };
    let items = 0;
    // Warm-up: page cache and the CLI's code cache.
    run([CLI_JS, 'ls'], env);
    await renderOnce(tree, r, false);
    for (let i = 0; i < RUNS; i++) {
      times.node.push(await timed(async () => run(['-e', '0'], env)));
      times.ls.push(await timed(async () => run([CLI_JS, 'ls'], env)));
      times.trivial.push((await renderOnce(tree, r, true)).ms);
      const full = await renderOnce(tree, r, false);
      times.tree.push(full.ms);
      items = full.items;
    }
    const [ls, node, full, trivial] = [times.ls, times.node, times.tree, times.trivial].map(median) as [
      number,
      number,
      number,
      number,
    ];
    console.log(
      `(d) ${count} Stopped environments in the store (${RUNS} interleaved runs, ${machineLoad()})`,
    );
    console.log(
      `    devrig ls / node -e 0 = ${ratio(ls, node)}   (median ${ms(ls)} vs ${ms(node)}; target ls < 150 ms)`,
    );
    console.log(
      `    tree render / empty render = ${ratio(full, trivial)}   (median ${ms(full)} for ${items} nodes vs ${ms(trivial)}; target < 200 ms)`,
    );
  } finally {
    await cleanupRunner(r);
  }
}
