// The environment details webview in a real VS Code (code-server) in a real browser, against a real
// runner and Docker: live phase, conditions, log and chart; Stop from the panel reaching the tree; a
// hostile message from the page logged and ignored; restored after hiding and after a reload;
// screenshots in dark, light and high-contrast themes (test-artifacts/details-*.png).

import { after, before, test } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import type { Environment } from '../../runner/api';
import { tryConnect } from '../../runner/client/launch';
import type { RunnerClient } from '../../runner/client/runnerClient';
import { startCodeServer, type CodeServer } from '../helpers/codeServer';
import { BASE_IMAGE, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects } from '../helpers/project';
import { removeByRunnerId, ROOT } from '../helpers/runnerProcess';
import { packagedVsix } from '../helpers/vsix';
import { waitFor, waitForPhase } from '../helpers/wait';
import {
  environmentRow,
  escapeRegExp,
  launchChromium,
  openWorkbench,
  runCommand as runPaletteCommand,
  showDevrigView,
} from '../helpers/workbench';

/** The bits of a page's globals the tests touch (the test program has no DOM types). */
interface PageGlobals {
  document: { body: { className: string } };
}

const MARKER = 'devrig-details-e2e-marker';
const ARTIFACTS = join(ROOT, 'test-artifacts');
/** 48 MiB held and about 20 % of a CPU for two minutes. */
const LOAD_PY = `import time
held = b'x' * (48 << 20)
end = time.time() + 120
while time.time() < end:
    busy = time.time() + 0.02
    while time.time() < busy:
        pass
    time.sleep(0.08)
`;

let cs: CodeServer | undefined;
let browser: Browser | undefined;
let page: Page;
let client: RunnerClient | undefined;
let stateDir = '';
let project = '';
let name = '';

before(async () => {
  await requireDocker();
  mkdirSync(ARTIFACTS, { recursive: true });
  project = makeProject(
    {
      image: BASE_IMAGE,
      remoteUser: 'vscode',
      // A line for the log assertion, then a little work in the background so the charts have a shape.
      postStartCommand: `echo ${MARKER} && (nohup python3 load.py >/dev/null 2>&1 &)`,
    },
    { 'load.py': LOAD_PY },
    'devrig-details-',
  );
  cs = await startCodeServer({
    vsix: packagedVsix(),
    settings: {
      'devrig.autoStart': 'always',
      'workbench.colorTheme': 'Default Dark Modern',
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'extensions.ignoreRecommendations': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'chat.disableAIFeatures': true,
    },
  });
  stateDir = join(cs.home, '.local/state/devrig');
  browser = await launchChromium();
  page = await openWorkbench(browser, cs.url, project);
  // The extension starts the runner and, with autoStart "always", the folder's environment.
  client = await waitFor(
    'the runner the extension started',
    () => tryConnect(stateDir, 'details-e2e'),
    90_000,
    500,
  );
  const env = await waitFor(
    "the folder's environment",
    async () => {
      const { items } = await client!.call('list', { kind: 'Environment' });
      return (items as Environment[]).find((e) => e.spec.source.folder === project);
    },
    90_000,
    500,
  );
  name = env.metadata.name;
  await waitForPhase(client, name, 'Running', 300_000);
});

after(async () => {
  if (cs) keepExtensionLogs(cs.userDataDir);
  if (browser) await browser.close().catch(() => {});
  // VS Code first: its extension would start a new runner as soon as this one shut down.
  if (cs) await stopProcessGroup(cs.child);
  if (client) {
    const pid = client.runnerPid;
    await client.call('shutdown', {}).catch(() => {});
    client.close();
    await waitFor('the runner to exit', () => !processAlive(pid), 20_000, 100).catch(() => {});
  }
  if (stateDir) await removeByRunnerId(stateDir);
  await cs?.stop(); // only removes its folder now
  removeProjects();
});

async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      /* already gone */
    }
  };
  kill('SIGTERM');
  const timer = setTimeout(() => kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** The devrig output channel's log files, kept as artifacts (code-server's folder is removed). */
function keepExtensionLogs(userDataDir: string): void {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name === 'devrig.log') found.push(join(dir, e.name));
    }
  };
  try {
    walk(join(userDataDir, 'logs'));
  } catch {
    return;
  }
  found.sort().forEach((f, i) => copyFileSync(f, join(ARTIFACTS, `details-e2e-extension-${i + 1}.log`)));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const runCommand = (title: string) => runPaletteCommand(page, title);

/** Clicks the quick-pick row whose label starts with `label` (Enter would take the first match). */
async function pick(label: string): Promise<void> {
  const row = page
    .locator('.quick-input-widget .monaco-list-row', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}`) })
    .first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click();
}

/** The details page's frame: VS Code nests it in two iframes, found here by what it shows. */
async function detailsFrame(envName: string): Promise<Frame> {
  return waitFor(
    `the details webview of ${envName}`,
    async () => {
      for (const f of page.frames()) {
        const found = await f.$(`#app[data-name="${envName}"]`).catch(() => null);
        if (found) return f;
      }
      return undefined;
    },
    30_000,
    250,
  );
}

async function attr(frame: Frame, selector: string, name: string): Promise<string | null> {
  return frame.locator(selector).first().getAttribute(name);
}

async function switchTheme(theme: string): Promise<void> {
  await runCommand('Preferences: Color Theme');
  const input = page.locator('.quick-input-widget input');
  await input.fill(theme);
  await pick(theme);
}

/** Every file under `dir` whose text contains `needle`. */
function filesContaining(dir: string, needle: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const st = statSync(p);
    if (st.isDirectory()) out.push(...filesContaining(p, needle));
    else if (st.size < 20_000_000 && readFileSync(p, 'utf8').includes(needle)) out.push(p);
  }
  return out;
}

test('the details panel shows the running environment live: phase, conditions, log, chart', async () => {
  await runCommand('devrig: Show Details');
  const frame = await detailsFrame(name);
  await frame.waitForSelector('#app[data-phase="Running"]', { timeout: 30_000 });
  assert.equal(await frame.locator('[data-testid="phase"]').textContent(), 'Running');
  assert.equal(await frame.locator('[data-testid="ssh-command"]').textContent(), `ssh devrig-${name}`);

  const ready = frame.locator('[data-testid="conditions"] tr[data-condition="Ready"]');
  await ready.waitFor({ timeout: 15_000 });
  assert.equal(await ready.getAttribute('data-status'), 'True');
  assert.ok((await frame.locator('[data-testid="conditions"] tbody tr').count()) >= 3);

  // The log tab: the postStartCommand's output, streamed from the runner.
  await frame.locator('vscode-tab-header[data-tab="log"]').click();
  await waitFor('the postStartCommand line in the log', async () =>
    (await frame.locator('[data-testid="log"]').textContent())?.includes(`postStartCommand | ${MARKER}`),
  );

  // The search box filters the log to matching lines and highlights the match.
  await frame.locator('vscode-textfield[data-testid="log-search"] input').fill('E2E-MARKER');
  await frame.locator('[data-testid="log"] mark', { hasText: 'e2e-marker' }).waitFor({ timeout: 5_000 });
  assert.equal(await frame.locator('[data-testid="log"] .log-line').count(), 1);
  await frame.locator('vscode-textfield[data-testid="log-search"] input').fill('');

  // Docker stats arrive about once a second.
  await waitFor(
    'two resource samples in the chart',
    async () => Number(await attr(frame, '[data-testid="usage"]', 'data-samples')) >= 2,
    30_000,
    250,
  );
  assert.ok((await frame.locator('[data-testid="usage"] canvas').count()) >= 2, 'uPlot draws on canvases');
  assert.equal(await attr(frame, '#app', 'data-csp-violations'), null, 'the page breaks no CSP rule');
  // A few more seconds of samples, so the screenshot shows lines rather than dots; the tree beside it.
  await waitFor(
    'ten samples',
    async () => Number(await attr(frame, '[data-testid="usage"]', 'data-samples')) >= 10,
    30_000,
    250,
  );
  await showDevrigView(page);
  await page.screenshot({ path: join(ARTIFACTS, 'details-dark.png') });
});

test('showing the same environment again reveals its panel instead of opening a second', async () => {
  await runCommand('devrig: Show Details');
  await detailsFrame(name);
  let panels = 0;
  for (const f of page.frames()) if (await f.$(`#app[data-name="${name}"]`).catch(() => null)) panels++;
  assert.equal(panels, 1);
  assert.equal(await page.locator('.tab', { hasText: `devrig: ${name}` }).count(), 1);
});

test('a hostile message from the page is rejected and logged, and nothing runs', async () => {
  const frame = await detailsFrame(name);
  // The channel the page's own acquireVsCodeApi().postMessage uses, driven from VS Code's outer frame.
  const outer = frame.parentFrame()!;
  const hostile = [
    { type: 'command', command: 'stop', name: 'another-environment' },
    { type: 'command', command: '<script>alert(1)</script>' },
    { type: 'exec', command: 'touch /tmp/pwned' },
    { type: 'port', action: 'open', port: 'javascript:alert(1)' },
  ];
  await outer.evaluate((messages) => {
    const post = (globalThis as unknown as { __vscode_post_message__(c: string, d: unknown): void })
      .__vscode_post_message__;
    for (const message of messages) post('onmessage', { message });
  }, hostile);
  const logs = join(cs!.userDataDir, 'logs');
  const hits = await waitFor(
    'the rejections in the devrig log',
    () => {
      const files = filesContaining(logs, 'rejected a message from the details webview');
      if (!files.length) return undefined;
      const text = readFileSync(files[0]!, 'utf8');
      const lines = text.split('\n').filter((l) => l.includes('rejected a message from the details webview'));
      return lines.length >= hostile.length ? lines : undefined;
    },
    15_000,
    250,
  );
  assert.equal(hits.length, hostile.length, hits.join('\n'));
  assert.ok(hits.some((l) => l.includes('"<script>alert(1)</script>"')));
  // Nothing ran: the environment is still Running and the page is intact.
  const env = await client!.call('get', { kind: 'Environment', name });
  assert.equal(env.kind === 'Environment' && env.spec.state, 'Running');
  assert.equal(await attr(frame, '#app', 'data-phase'), 'Running');
});

test('Stop in the panel stops the environment; the panel and the tree both show Stopped', async () => {
  const frame = await detailsFrame(name);
  await frame.locator('vscode-button[data-command="stop"]').click();
  await waitForPhase(client!, name, 'Stopped', 120_000);
  await frame.waitForSelector('#app[data-phase="Stopped"]', { timeout: 10_000 });
  assert.equal(await frame.locator('[data-testid="phase"]').textContent(), 'Stopped');
  assert.equal(await frame.locator('vscode-button[data-command="start"]').getAttribute('disabled'), null);
  assert.notEqual(await frame.locator('vscode-button[data-command="stop"]').getAttribute('disabled'), null);

  await showDevrigView(page);
  const row = environmentRow(page, name);
  await waitFor(
    'the tree to show Stopped',
    async () => (await row.textContent())?.includes('Stopped'),
    10_000,
    100,
  );
  await page.screenshot({ path: join(ARTIFACTS, 'details-stopped-dark.png') });
});

test('hidden and shown again, the page rebuilds from a snapshot and keeps its tab and log', async () => {
  await page.keyboard.press('Control+P');
  await page.locator('.quick-input-widget input').fill('devcontainer.json');
  await pick('devcontainer.json');
  await waitFor('the details page to be discarded while hidden', async () => {
    for (const f of page.frames()) if (await f.$(`#app[data-name="${name}"]`).catch(() => null)) return false;
    return true;
  });
  await page.locator('.tab', { hasText: `devrig: ${name}` }).click();
  const frame = await detailsFrame(name);
  await frame.waitForSelector('#app[data-phase="Stopped"]');
  assert.equal(await attr(frame, 'vscode-tabs', 'selected-index'), '3', 'the Log tab, from setState');
  await waitFor('the log from the snapshot', async () =>
    (await frame.locator('[data-testid="log"]').textContent())?.includes(MARKER),
  );
});

test('after a window reload the serializer restores the panel', async () => {
  await runCommand('Developer: Reload Window');
  await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
  const tab = page.locator('.tab', { hasText: `devrig: ${name}` });
  await tab.waitFor({ timeout: 60_000 });
  await tab.click();
  const frame = await detailsFrame(name);
  // Known again once the new extension host's cache has synced (auto start may be starting it again).
  await frame.waitForSelector('#app:not([data-phase="Unknown"])', { timeout: 30_000 });
});

test('a click on the environment in the tree opens its panel', async () => {
  await runCommand('View: Close All Editors');
  await waitFor(
    'the panel to close',
    async () => (await page.locator('.tab', { hasText: `devrig: ${name}` }).count()) === 0,
  );
  await showDevrigView(page);
  await environmentRow(page, name).click();
  const frame = await detailsFrame(name);
  await frame.waitForSelector('#app:not([data-phase="Unknown"])', { timeout: 30_000 });
});

test('the panel follows the theme: light and high-contrast screenshots', async () => {
  for (const [theme, bodyClass, file] of [
    ['Light Modern', 'vscode-light', 'details-light.png'],
    ['Dark High Contrast', 'vscode-high-contrast', 'details-high-contrast.png'],
  ] as const) {
    await switchTheme(theme);
    const frame = await detailsFrame(name);
    await waitFor(`the webview to switch to ${theme}`, async () =>
      (await frame.evaluate(() => (globalThis as unknown as PageGlobals).document.body.className)).includes(
        bodyClass,
      ),
    );
    await page.waitForTimeout(500); // charts repaint in the new colours
    await page.screenshot({ path: join(ARTIFACTS, file) });
  }
  await switchTheme('Dark Modern');
});
