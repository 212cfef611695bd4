// Builds every bundle devrig ships: the runner daemon, the CLI, the VS Code
// extension (vscode external) and the webview's browser code.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  define: { __DEVRIG_VERSION__: JSON.stringify(pkg.version) },
};

const node = {
  ...common,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // jsonc-parser's UMD build hides its requires from bundlers; its ESM build does not.
  mainFields: ['module', 'main'],
  // Native add-ons are optional speed-ups (ssh2's crypto binding, cpu-features);
  // their requires are guarded, so leave them out of the bundle.
  external: ['vscode', 'cpu-features', '*.node'],
  metafile: true,
};

// `z` (import { z } from 'zod') is a namespace that re-exports every locale (~250 KiB minified), and
// nothing in devrig switches locale: every bundle gets English only (zod registers it as the default by
// itself). Halves dist/extension.js and shortens every bundle's load (activation, each CLI command).
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer)
        ? { path: 'zod-locales', namespace: 'zod-english-only' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: fileURLToPath(new URL('.', import.meta.url)),
    }));
  },
};

// The CLI checks what it reads from the runner (frames, results, events, runner.json) with checks
// compiled from the API's schemas at build time (runner/api/compileChecks.ts) instead of zod's, so
// that a CLI command does not load zod to start (~15 ms of every command).
const root = fileURLToPath(new URL('.', import.meta.url));
let checksSource;
async function compiledChecksSource() {
  const r = await esbuild.build({
    ...node,
    entryPoints: ['runner/api/compileChecks.ts'],
    write: false,
    sourcemap: false,
    metafile: false,
    plugins: [zodEnglishOnly],
  });
  const m = { exports: {} };
  new Function('module', 'exports', 'require', r.outputFiles[0].text)(
    m,
    m.exports,
    createRequire(import.meta.url),
  );
  return m.exports.compiledChecksSource();
}
const cliCompiledChecks = {
  name: 'cli-compiled-checks',
  setup(b) {
    // Compiled again for each build (the schemas may have changed under --watch).
    b.onStart(() => {
      checksSource = undefined;
    });
    const checks = resolve(root, 'runner/api/checks');
    b.onResolve({ filter: /[\\/]checks$/ }, (args) =>
      resolve(args.resolveDir, args.path) === checks
        ? { path: resolve(root, 'runner/api/checksCompiled.ts') }
        : undefined,
    );
    b.onResolve({ filter: /^devrig:compiled-checks$/ }, () => ({
      path: 'compiled-checks',
      namespace: 'devrig',
    }));
    b.onLoad({ filter: /.*/, namespace: 'devrig' }, async () => ({
      contents: await (checksSource ??= compiledChecksSource()),
      loader: 'js',
      resolveDir: root,
    }));
  },
};

const builds = [
  { ...node, entryPoints: { runner: 'runner/main.ts' }, outdir: 'dist', plugins: [zodEnglishOnly] },
  // The runner's config parser thread (runner/devcontainer/parserThreadMain.ts): small, to start fast.
  {
    ...node,
    entryPoints: { 'config-parser': 'runner/devcontainer/parserThreadMain.ts' },
    outdir: 'dist',
    minify: true,
    plugins: [zodEnglishOnly],
  },
  {
    ...node,
    entryPoints: { 'cli-main': 'runner/cli/main.ts' },
    outdir: 'dist',
    // Read at every command: half the bytes to read; pure ASCII, so bin.ts reads it as latin1.
    minify: true,
    plugins: [zodEnglishOnly, cliCompiledChecks],
  },
  // `devrig mcp` (the MCP SDK, zod): required by that command only, so no other command reads it.
  {
    ...node,
    entryPoints: { 'cli-mcp': 'runner/cli/mcp/main.ts' },
    outdir: 'dist',
    plugins: [zodEnglishOnly],
  },
  // The `devrig` command: loads cli-main.js through V8's code cache (see runner/cli/bin.ts).
  {
    ...node,
    entryPoints: { cli: 'runner/cli/bin.ts' },
    outdir: 'dist',
    banner: { js: '#!/usr/bin/env node' },
  },
  { ...node, entryPoints: { extension: 'extension/main.ts' }, outdir: 'dist', plugins: [zodEnglishOnly] },
  {
    ...common,
    entryPoints: { webview: 'webview/main.ts' },
    outdir: 'dist',
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    metafile: true,
    plugins: [zodEnglishOnly],
  },
];

// The details webview loads codicons through asWebviewUri from dist/ (node_modules is not in the VSIX).
function copyCodicons() {
  mkdirSync('dist/codicons', { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) {
    copyFileSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/codicons/${f}`);
  }
}

const present = builds.filter((b) => Object.values(b.entryPoints).every((p) => exists(p)));
if (exists('webview/main.ts')) copyCodicons();

function exists(p) {
  try {
    readFileSync(p);
    return true;
  } catch {
    return false;
  }
}

if (watch) {
  for (const b of present) await (await esbuild.context(b)).watch();
} else {
  const results = await Promise.all(present.map((b) => esbuild.build(b)));
  // bin.ts runs cli-main.js as a vm.Script (for the code cache), where Node 20 cannot import():
  // what the CLI loads late must be bundled (esbuild turns that into a require) or required.
  // It also reads it as latin1, which is right only while it is ASCII (esbuild escapes the rest).
  if (exists('dist/cli-main.js')) {
    const bytes = readFileSync('dist/cli-main.js');
    const cli = bytes.toString('latin1');
    if (/[^\w$.]import\(["']/.test(cli)) {
      throw new Error('dist/cli-main.js has an import() of an external module; see runner/cli/bin.ts');
    }
    if (bytes.some((b) => b > 0x7f)) throw new Error('dist/cli-main.js is not ASCII; see runner/cli/bin.ts');
  }
  for (const r of results) {
    for (const [file, out] of Object.entries(r.metafile.outputs)) {
      if (file.endsWith('.js'))
        console.log(`${file.padEnd(22)} ${(out.bytes / 1024).toFixed(0).padStart(6)} KiB`);
    }
  }
}
