// Builds every bundle devrig ships: the runner daemon, the CLI, the VS Code
// extension (vscode external) and the webview's browser code.
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';

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

const builds = [
  { ...node, entryPoints: { runner: 'runner/main.ts' }, outdir: 'dist' },
  {
    ...node,
    entryPoints: { cli: 'runner/cli/main.ts' },
    outdir: 'dist',
    banner: { js: '#!/usr/bin/env node' },
  },
  { ...node, entryPoints: { extension: 'extension/main.ts' }, outdir: 'dist' },
  {
    ...common,
    entryPoints: { webview: 'webview/main.ts' },
    outdir: 'dist',
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    metafile: true,
  },
];

const present = builds.filter((b) => Object.values(b.entryPoints).every((p) => exists(p)));

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
  for (const r of results) {
    for (const [file, out] of Object.entries(r.metafile.outputs)) {
      if (file.endsWith('.js'))
        console.log(`${file.padEnd(22)} ${(out.bytes / 1024).toFixed(0).padStart(6)} KiB`);
    }
  }
}
