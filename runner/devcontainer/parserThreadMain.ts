// dist/config-parser.js: the runner's config parser thread (see parseThread.ts). A bundle of its own,
// holding only what parsing needs, so the thread starts in milliseconds.
import { serveConfigParsing } from './parseThread';

if (!serveConfigParsing()) throw new Error('config-parser.js runs only as the runner’s config parser thread');
