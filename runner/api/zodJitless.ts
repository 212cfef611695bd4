// Imported first by the extension and the webview, before any schema parses. zod's JIT probes
// `new Function` (blocked by the webview's CSP, reported as a violation) and `navigator` (which
// VS Code's extension host flags as a pending migration on every activation). The runner and the
// CLI keep the JIT: they parse far more.
import { z } from 'zod';

z.config({ jitless: true });
