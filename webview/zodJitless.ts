// Imported first by main.ts, before any schema is built: zod would otherwise probe `new Function` for
// its JIT, which the page's CSP (no 'unsafe-eval') blocks and reports as a violation.
import { z } from 'zod';

z.config({ jitless: true });
