// The first-run and failure journey (issue 15) in a real VS Code (code-server) in Chromium, with the
// packaged VSIX and autoStart "ask": the prompt → Create & Start → the next-step offer; a config with a
// syntax error on folder open → a notification whose Open Config opens the file at the error's line;
// an image that is not there → a failure notification with the human cause and Retry, which works once
// the image exists. Screenshots of each step are kept in test-artifacts/journey-e2e.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Environment } from '../../runner/api';
import { tryConnect } from '../../runner/client/launch';
import type { RunnerClient } from '../../runner/client/runnerClient';
import { processAlive } from '../../runner/state/lock';
import { readRunnerInfo } from '../../runner/state/runnerInfo';
import { statePaths } from '../../runner/state/stateDir';
import { startCodeServer, type CodeServer } from '../helpers/codeServer';
import { BASE_IMAGE, docker, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects } from '../helpers/project';
import { removeByRunnerId, ROOT } from '../helpers/runnerProcess';
import { packagedVsix } from '../helpers/vsix';
import { waitFor, waitForPhase, watchUntil } from '../helpers/wait';
import { launchChromium, notification, openWorkbench } from '../helpers/workbench';

const ARTIFACTS = join(ROOT, 'test-artifacts', 'journey-e2e');

describe('the first-run and failure journey in a real VS Code', () => {
  let cs: CodeServer | undefined;
  let browser: Browser | undefined;
  const pages: Page[] = [];
  let client: RunnerClient | undefined;
  const scratch = mkdtempSync(join(tmpdir(), 'devrig-journey-e2e-'));
  const stateDir = join(scratch, 'state');
  // An image tag only this test makes (and removes): "missing" until the Retry step tags it.
  const missingImage = `devrig-journey-missing-${process.pid}:1`;

  async function runner(): Promise<RunnerClient> {
    if (client?.isOpen) return client;
    client = await waitFor('the runner', () => tryConnect(stateDir, 'journey-e2e'), 60_000, 100);
    return client;
  }

  async function folderEnvironment(folder: string): Promise<Environment> {
    const c = await runner();
    return waitFor(
      `the environment of ${folder}`,
      async () => {
        const { items } = await c.call('list', { kind: 'Environment' });
        return items.find(
          (e): e is Environment => e.kind === 'Environment' && e.spec.source.folder === folder,
        );
      },
      90_000,
      200,
    );
  }

  async function open(folder: string): Promise<Page> {
    const page = await openWorkbench(browser!, cs!.url, folder);
    pages.push(page);
    return page;
  }

  before(async () => {
    await requireDocker();
    mkdirSync(ARTIFACTS, { recursive: true });
    cs = await startCodeServer({
      vsix: packagedVsix(),
      settings: {
        'devrig.autoStart': 'ask',
        'devrig.runner.stateDir': stateDir,
        'security.workspace.trust.enabled': false,
        'terminal.integrated.gpuAcceleration': 'off',
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'extensions.ignoreRecommendations': true,
        'chat.disableAIFeatures': true,
      },
    });
    browser = await launchChromium();
  });

  after(async () => {
    for (const [i, p] of pages.entries()) {
      await p.screenshot({ path: join(ARTIFACTS, `last-${i}.png`) }).catch(() => {});
    }
    await browser?.close().catch(() => {});
    client?.close();
    await cs?.stop();
    const paths = statePaths(stateDir);
    const lockPid = Number.parseInt(existsSync(paths.lock) ? readFileSync(paths.lock, 'utf8') : '', 10);
    for (const pid of [(await readRunnerInfo(paths.info))?.pid, lockPid]) {
      if (pid && Number.isInteger(pid) && processAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    await removeByRunnerId(stateDir).catch(() => {});
    await docker
      .getImage(missingImage)
      .remove()
      .catch(() => {});
    removeProjects();
    rmSync(scratch, { recursive: true, force: true });
  });

  test(
    'the "ask" prompt has at most three buttons; Create & Start → Running → the next-step offer',
    { timeout: 420_000 },
    async () => {
      const project = makeProject(
        { image: BASE_IMAGE, name: 'Journey App', remoteUser: 'vscode' },
        {},
        'devrig-journey-',
      );
      const page = await open(project);
      const prompt = notification(page, /Create a devrig environment for it and start it\?/);
      await prompt.waitFor({ timeout: 90_000 });
      const buttons = await prompt.locator('.monaco-button').allInnerTexts();
      assert.ok(buttons.length <= 3, `buttons: ${buttons.join(', ')}`);
      assert.equal(buttons[0], 'Create & Start');
      await page.screenshot({ path: join(ARTIFACTS, '1-ask-prompt.png') });
      await prompt.getByRole('button', { name: 'Create & Start' }).click();
      const env = await folderEnvironment(project);
      await waitForPhase(await runner(), env.metadata.name, 'Running', 300_000);
      // devcontainer.json's name, not the folder's: and what to do next.
      const offer = notification(page, /devrig: Journey App is ready\./);
      await offer.waitFor({ timeout: 30_000 });
      const next = await offer.locator('.monaco-button').allInnerTexts();
      assert.ok(next.includes('Open Terminal') || next.includes('Reopen'), `buttons: ${next.join(', ')}`);
      await page.screenshot({ path: join(ARTIFACTS, '2-next-step-offer.png') });
    },
  );

  test(
    'a config with a syntax error on folder open: a notification whose Open Config opens the file at the error',
    { timeout: 180_000 },
    async () => {
      // Line 3, column 3: the comma missing after "image".
      const project = makeProject(
        `{\n  "image": "${BASE_IMAGE}"\n  "name": "broken"\n}\n`,
        {},
        'devrig-journey-',
      );
      const page = await open(project);
      const failure = notification(page, /Config invalid in devcontainer\.json at line 3, column 3/);
      await failure.waitFor({ timeout: 90_000 });
      await page.screenshot({ path: join(ARTIFACTS, '3-config-error.png') });
      await failure.getByRole('button', { name: 'Open Config' }).click();
      await page.locator('.tab.active', { hasText: 'devcontainer.json' }).waitFor({ timeout: 30_000 });
      await page
        .locator('[id="status.editor.selection"]', { hasText: /Ln 3, Col 3/ })
        .waitFor({ timeout: 30_000 });
      await page.screenshot({ path: join(ARTIFACTS, '4-open-config-at-error.png') });
      // Nothing was created for a config that does not parse.
      const { items } = await (await runner()).call('list', { kind: 'Environment' });
      assert.ok(!items.some((e) => e.kind === 'Environment' && e.spec.source.folder === project));
    },
  );

  test(
    'an image that cannot be pulled: the human cause and Retry, which brings it up once the image exists',
    { timeout: 420_000 },
    async () => {
      const project = makeProject({ image: missingImage, remoteUser: 'vscode' }, {}, 'devrig-journey-');
      const page = await open(project);
      const prompt = notification(page, /Create a devrig environment for it and start it\?/);
      await prompt.waitFor({ timeout: 90_000 });
      await prompt.getByRole('button', { name: 'Create & Start' }).click();
      // Offline machines cannot reach Docker Hub; online ones are told the image does not exist: either way a
      // human cause comes first.
      const failure = notification(page, /devrig: .*: (Image not found|The registry cannot be reached)/i);
      await failure.waitFor({ timeout: 180_000 });
      // The raw engine text is kept after the human cause.
      assert.match(await failure.innerText(), new RegExp(missingImage.split(':')[0]!));
      await page.screenshot({ path: join(ARTIFACTS, '5-failure-retry.png') });
      const env = await folderEnvironment(project);
      const before = (await (await runner()).call('get', { kind: 'Environment', name: env.metadata.name }))
        .metadata.generation;
      // The user fixes the cause (the image now exists), then Retry.
      await docker.getImage(BASE_IMAGE).tag({ repo: missingImage.split(':')[0]!, tag: '1' });
      await failure.getByRole('button', { name: /^Retry( Now)?$/ }).click();
      const c = await runner();
      await waitFor(
        'Retry to make a new generation',
        async () => {
          const e = await c.call('get', { kind: 'Environment', name: env.metadata.name });
          return e.metadata.generation > before ? e : undefined;
        },
        30_000,
        200,
      );
      await waitForPhase(c, env.metadata.name, 'Running', 300_000);
      await page.screenshot({ path: join(ARTIFACTS, '6-retried-running.png') });
    },
  );
  test(
    'Cancel during a slow build: the build is aborted, the environment Stopped, no image left as current',
    { timeout: 420_000 },
    async () => {
      const project = makeProject(
        { build: { dockerfile: 'Dockerfile' }, remoteUser: 'vscode' },
        { '.devcontainer/Dockerfile': `FROM ${BASE_IMAGE}\nRUN echo slow-step-begins && sleep 600\n` },
        'devrig-journey-',
      );
      const page = await open(project);
      const prompt = notification(page, /Create a devrig environment for it and start it\?/);
      await prompt.waitFor({ timeout: 90_000 });
      await prompt.getByRole('button', { name: 'Create & Start' }).click();
      const env = await folderEnvironment(project);
      const name = env.metadata.name;
      const c = await runner();
      // Building is reported while the generation is being worked on (not yet observed): watch the phase.
      await watchUntil(c, name, (e) => e.status.phase === 'Building', 'to be Building', 120_000);
      // The progress follows the step and has Show Log; its Cancel is a real one.
      const progress = notification(page, /devrig: Creating/);
      await progress.locator('a', { hasText: 'Show Log' }).waitFor({ timeout: 60_000 });
      await progress.filter({ hasText: /slow-step-begins|sleep 600/ }).waitFor({ timeout: 120_000 });
      await page.screenshot({ path: join(ARTIFACTS, '7-progress-building.png') });
      await progress.getByRole('button', { name: 'Cancel' }).click();
      const stopped = await waitForPhase(c, name, 'Stopped', 120_000);
      assert.equal(stopped.spec.state, 'Stopped', 'the spec says so');
      await notification(page, /cancelled; .* is stopped/).waitFor({ timeout: 60_000 });
      await page.screenshot({ path: join(ARTIFACTS, '8-cancelled-stopped.png') });
      const images = await docker.listImages({ filters: { reference: [`devrig/${name}`] } });
      assert.deepEqual(
        images.map((i) => i.RepoTags),
        [],
        'no image built for the cancelled create',
      );
    },
  );
});
