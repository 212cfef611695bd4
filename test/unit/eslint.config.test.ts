// The layer rules of eslint.config.mjs at work: an import that points up or across to another
// program fails lint, with a message that says which rule it broke; the same import from a layer
// allowed to make it passes. (npm run check lints the whole tree with the same config.)

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'import-x/no-restricted-paths')
    .map((m) => m.message);
}

const cases: [string, string, string, RegExp | undefined][] = [
  [
    'the webview importing the extension',
    'webview/model/bad.ts',
    "import { outcomeFor } from '../../extension/environments/outcome';\nexport const x = outcomeFor;\n",
    /the webview imports only shared layers/,
  ],
  [
    'the CLI importing the runner daemon',
    'runner/cli/commands/bad.ts',
    "import { EnvironmentSessions } from '../../reconcile/environment/sessions';\nexport const x = EnvironmentSessions;\n",
    /the CLI imports only shared layers/,
  ],
  [
    'the runner daemon importing the extension',
    'runner/gateway/bad.ts',
    "import { environmentNode } from '../../extension/tree/treeModel';\nexport const x = environmentNode;\n",
    /the runner daemon imports only shared layers/,
  ],
  [
    'a shared module importing a program',
    'runner/client/bad.ts',
    "import { UsageError } from '../cli/args';\nexport const x = UsageError;\n",
    /Shared modules import only runner\/api and other shared modules/,
  ],
  [
    'runner/api importing anything of devrig outside it',
    'runner/api/bad.ts',
    "import { nameFromFolder } from '../client/naming';\nexport const x = nameFromFolder;\n",
    /runner\/api is the bottom layer/,
  ],
  [
    'a reconcile step importing the Docker provider',
    'runner/reconcile/environment/steps/bad.ts',
    "import { DockerProvider } from '../../../providers/docker/dockerProvider';\nexport const x = DockerProvider;\n",
    /only the ContainerProvider interface/,
  ],
  [
    'the extension importing shared layers',
    'extension/commands/good.ts',
    "import { nameFromFolder } from '../../runner/client/naming';\nimport { phaseDescription } from '../../runner/presentation/reasonText';\nexport const x = [nameFromFolder, phaseDescription];\n",
    undefined,
  ],
  [
    'the webview importing presentation and the API',
    'webview/model/good.ts',
    "import { ENVIRONMENT_ICONS } from '../../runner/presentation/phaseStyle';\nimport { reasonKind } from '../../runner/api';\nexport const x = [ENVIRONMENT_ICONS, reasonKind];\n",
    undefined,
  ],
];

for (const [what, file, code, expected] of cases) {
  test(`layers: ${what} ${expected ? 'fails lint' : 'passes'}`, async () => {
    const errors = await layerErrors(file, code);
    if (!expected) assert.deepEqual(errors, []);
    else {
      assert.equal(errors.length, 1, `one layer error, got ${JSON.stringify(errors)}`);
      assert.match(errors[0]!, expected);
    }
  });
}
