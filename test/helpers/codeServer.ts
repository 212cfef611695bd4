// A real VS Code for end-to-end tests: code-server (VS Code in the browser, extension host on Node 24)
// installed by .ci/code-server.sh, with its own user data, extensions folder and HOME, so a test never
// touches the machine's VS Code, SSH config or devrig state.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from './net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './runnerProcess';
import { waitFor } from './wait';

export interface CodeServerInstall {
  binary: string;
  nodeBin: string;
}

/** Finds code-server (installing it with .ci/code-server.sh when missing: minutes, once per machine). */
export function codeServerInstall(): CodeServerInstall {
  const cache = execFileSync(join(ROOT, '.ci/code-server.sh'), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 900_000,
  })
    .trim()
    .split('\n')
    .pop()!;
  const binary = join(cache, 'cs/node_modules/.bin/code-server');
  const nodeBin = join(cache, 'node24/node_modules/node/bin');
  if (!existsSync(binary) || !existsSync(join(nodeBin, 'node'))) {
    throw new Error(`code-server is not installed under ${cache}: run .ci/code-server.sh`);
  }
  return { binary, nodeBin };
}

export interface CodeServer {
  url: string;
  port: number;
  home: string;
  userDataDir: string;
  extensionsDir: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export interface StartCodeServerOptions {
  vsix: string;
  /** User settings (settings.json). */
  settings: Record<string, unknown>;
  /** Extra environment for code-server and so its extension host (and the runner it starts). */
  env?: NodeJS.ProcessEnv;
}

/** Installs the VSIX into a fresh extensions folder and starts code-server on a free loopback port. */
export async function startCodeServer(opts: StartCodeServerOptions): Promise<CodeServer> {
  const install = codeServerInstall();
  const root = mkdtempSync(join(tmpdir(), 'devrig-cs-'));
  const home = join(root, 'home');
  const userDataDir = join(root, 'user-data');
  const extensionsDir = join(root, 'extensions');
  // code-server's extension host and built-in extensions put IPC sockets and the like in the temp
  // folder: a private one goes with the rest.
  const tmp = join(root, 'tmp');
  for (const d of [home, tmp, join(userDataDir, 'User'), join(userDataDir, 'Machine'), extensionsDir])
    mkdirSync(d, { recursive: true });
  const settings = JSON.stringify(opts.settings, null, 2);
  writeFileSync(join(userDataDir, 'User', 'settings.json'), settings);
  // In code-server the extension host is the "remote" side: machine-scoped settings are read from here.
  writeFileSync(join(userDataDir, 'Machine', 'settings.json'), settings);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...opts.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_STATE_HOME: join(home, '.local/state'),
    PATH: `${install.nodeBin}:${process.env.PATH}`,
    TMPDIR: tmp,
  };
  delete env.DEVRIG_STATE_DIR;
  execFileSync(
    install.binary,
    ['--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', opts.vsix],
    {
      env,
      stdio: 'pipe',
      timeout: 120_000,
    },
  );
  const port = await freePort();
  let output = '';
  const child = spawn(
    install.binary,
    [
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--user-data-dir',
      userDataDir,
      '--extensions-dir',
      extensionsDir,
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    'code-server to answer',
    async () => {
      if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}: ${output}`);
      const r = await fetch(`${url}/healthz`).catch(() => undefined);
      return r?.ok;
    },
    60_000,
    100,
  );
  return {
    url,
    port,
    home,
    userDataDir,
    extensionsDir,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        // Its own process group: code-server, its extension host and terminals, not the (detached) runner.
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          /* already gone */
        }
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            /* gone */
          }
        }, 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
