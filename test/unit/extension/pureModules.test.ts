// The pure parts of the extension must stay free of `vscode` so they run (and are tested) in plain Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const PURE = [
  'agents/mcpServerSpec.ts',
  'autostart/autoStartDecision.ts',
  'autostart/devcontainerPresence.ts',
  'commands/commandIds.ts',
  'config/paths.ts',
  'config/settingsModel.ts',
  'details/liveFeeds.ts',
  'environments/desiredState.ts',
  'environments/gitUrl.ts',
  'environments/idleWarning.ts',
  'environments/newEnvironment.ts',
  'environments/outcome.ts',
  'environments/waitForEnvironment.ts',
  'logs/logResume.ts',
  'runner/launchSpec.ts',
  'runner/perConnection.ts',
  'runner/resourceCache.ts',
  'runner/runnerConnection.ts',
  'runner/versionCompare.ts',
  'status/statusActions.ts',
  'status/statusModel.ts',
  'terminal/execSession.ts',
  'testHooks.ts',
  'tree/markdown.ts',
  'tree/refreshPacer.ts',
  'tree/tooltips.ts',
  'tree/treeModel.ts',
  'workspace/latestScan.ts',
];

/** Shared modules the extension uses (and the CLI or the webview too). */
const SHARED = [
  'runner/client/hostAddress.ts',
  'runner/client/naming.ts',
  'runner/presentation/forwardedPort.ts',
  'runner/presentation/phaseStyle.ts',
  'runner/presentation/reasonText.ts',
  'runner/presentation/verbs.ts',
];

test('pure extension modules do not import vscode', () => {
  for (const f of [...PURE.map((p) => `extension/${p}`), ...SHARED]) {
    const text = readFileSync(join(__dirname, '../../..', f), 'utf8');
    assert.doesNotMatch(text, /from 'vscode'|require\('vscode'\)/, f);
  }
});
