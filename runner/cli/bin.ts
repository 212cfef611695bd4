// The `devrig` command. Every CLI call is a fresh Node process, and compiling the CLI bundle is a
// good part of its start: this loads the bundle (cli-main.js) with V8's code cache, kept in the
// private state folder, so later calls skip most of the compiling. Any trouble with the cache only
// means a normal load.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import Module from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { resolveStateDir } from '../state/stateDir';
import { trace } from './trace';
import { exitQuietlyOnBrokenPipe, exitWhenFlushed } from './exitWhenFlushed';

type CliMain = { main(argv: string[]): Promise<number> };

function load(file: string): CliMain {
  // Node ≥ 22.1 keeps a code cache itself.
  const enable = (Module as { enableCompileCache?: (dir: string) => unknown }).enableCompileCache;
  const stateDir = resolveStateDir();
  if (!existsSync(stateDir)) return module.require(file) as CliMain;
  const cacheDir = join(stateDir, 'cache');
  if (enable) {
    enable(cacheDir);
    return module.require(file) as CliMain;
  }
  try {
    return loadWithCodeCache(file, cacheDir);
  } catch {
    return module.require(file) as CliMain;
  }
}

/**
 * Node 20: compiles the bundle as `vm.Script` with cached data. The cache is written at the exit of
 * a command that succeeded, when it holds the functions that command ran: one per command.
 */
function loadWithCodeCache(file: string, cacheDir: string): CliMain {
  const st = statSync(file);
  // Per installation (two devrigs sharing a state folder keep a cache each), per build of it and
  // of Node, per command.
  const install = createHash('sha256').update(file).digest('hex').slice(0, 12);
  const build = `${process.version}-${process.arch}-${st.size}-${Math.floor(st.mtimeMs)}.v8`;
  const command = process.argv[2] ?? '';
  const cacheFile = join(
    cacheDir,
    `cli-${install}-${/^[a-z][a-z-]{0,30}$/.test(command) ? command : 'other'}-${build}`,
  );
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    /* not made yet */
  }
  // ASCII (esbuild.mjs checks): latin1 reads it faster than utf8 and to the same text.
  const source = readFileSync(file, 'latin1');
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  if (!cachedData || script.cachedDataRejected) {
    process.once('exit', (code) => {
      if (code !== 0) return;
      try {
        mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
        renameSync(tmp, cacheFile);
        // This installation's caches of other builds of it or of Node are of no more use.
        for (const f of readdirSync(cacheDir)) {
          if (f.startsWith(`cli-${install}-`) && !f.endsWith(build))
            rmSync(join(cacheDir, f), { force: true });
        }
      } catch {
        /* a cache is never worth failing a command for */
      }
    });
  }
  const m = new Module(file, module);
  m.filename = file;
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
    dirname(file),
  );
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper.call(m.exports, m.exports, (id: string) => m.require(id), m, file, dirname(file));
  m.loaded = true;
  return m.exports as CliMain;
}

exitQuietlyOnBrokenPipe();
const cli = load(join(__dirname, 'cli-main.js'));
void cli.main(process.argv.slice(2)).then((code) => {
  // Whether this command had to load zod (its global registry): the fast commands do not.
  trace(`exit (schemas ${'__zod_globalRegistry' in globalThis ? 'loaded' : 'not loaded'})`);
  process.exitCode = code;
  // Streams to the runner must not keep a finished command alive, but what it printed must all
  // reach a slow reader first.
  exitWhenFlushed(code);
});
