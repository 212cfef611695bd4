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
  'environments/forwardedPort.ts',
  'environments/gitUrl.ts',
  'environments/idleWarning.ts',
  'environments/naming.ts',
  'environments/newEnvironment.ts',
  'environments/outcome.ts',
  'environments/verbs.ts',
  'environments/waitForEnvironment.ts',
  'hosts/hostAddress.ts',
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
  'tree/phaseStyle.ts',
  'tree/reasonText.ts',
  'tree/refreshPacer.ts',
  'tree/tooltips.ts',
  'tree/treeModel.ts',
  'workspace/latestScan.ts',
];

test('pure extension modules do not import vscode', () => {
  for (const f of PURE) {
    const text = readFileSync(join(__dirname, '../../extension', f), 'utf8');
    assert.doesNotMatch(text, /from 'vscode'|require\('vscode'\)/, f);
  }
});
