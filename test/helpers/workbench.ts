// Driving a real VS Code workbench (code-server) in Chromium: the command palette, the devrig tree, the
// status bar and the terminal, through the DOM a user sees.

import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.DEVRIG_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

/** Opens `folder` in the workbench and waits until it is ready. */
export async function openWorkbench(browser: Browser, url: string, folder: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
  return page;
}

/** Runs a command from the command palette by its full title (`devrig: Open Terminal`). */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', {
    has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }),
  });
  await row.first().click({ timeout: 15_000 });
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Opens the devrig view container from the activity bar. */
export async function showDevrigView(page: Page): Promise<Locator> {
  const view = page.locator('.pane', { has: page.locator('[role="tree"][aria-label="Environments"]') });
  if (!(await view.isVisible())) {
    await page.locator('.activitybar a.action-label[aria-label="devrig"]').click();
  }
  await view.waitFor({ state: 'visible', timeout: 30_000 });
  return view;
}

/** The tree row of an environment (its aria-label is "<name> <description>"). */
export function environmentRow(page: Page, name: string): Locator {
  return page.locator(`[role="tree"][aria-label="Environments"] .monaco-list-row[aria-label^="${name} "]`);
}

/** The icon element of a tree row. */
export function rowIcon(row: Locator): Locator {
  return row.locator('.custom-view-tree-node-item-icon');
}

/** devrig's environment item in the status bar. */
export function environmentStatusItem(page: Page): Locator {
  return page.locator('[id="devrig.devrig.devrig.environment"]');
}

/** What the terminal panel shows, line by line (DOM renderer: terminal.integrated.gpuAcceleration off). */
export async function terminalLines(page: Page): Promise<string[]> {
  const text = await page.locator('.terminal-wrapper.active .xterm-rows').innerText();
  return text.split('\n').map((l) => l.replace(/\u00a0/g, ' ').trimEnd());
}

/** A notification toast containing `text`. */
export function notification(page: Page, text: string | RegExp): Locator {
  return page.locator('.notification-toast', { hasText: text });
}
