/* eslint-disable @typescript-eslint/no-require-imports, no-undef -- a plain CommonJS worker entry */
// A config parser thread for tests (the runner's is dist/config-parser.js: see runner/main.ts). Workers do
// not inherit the test's TypeScript loader: this registers it, then loads the parser's module.
require('tsx/cjs/api').register();
const { serveConfigParsing } = require('../../runner/devcontainer/parseThread.ts');
if (!serveConfigParsing()) throw new Error('configParserWorker.cjs runs only as a config parser thread');
