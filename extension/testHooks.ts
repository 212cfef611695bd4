// Hooks the end-to-end tests use to see what the extension did where the real effect cannot be observed
// (Remote-SSH cannot be installed on CI). Inert unless the variable is set in the extension host's
// environment; nothing else reads or writes these files.

import { appendFileSync } from 'node:fs';

/** `DEVRIG_TEST_RECORD_OPEN=/path`: every Remote-SSH URI the extension opens (or would open) is appended, one per line. */
export function recordRemoteOpen(uri: string, newWindow: boolean): void {
  const file = process.env.DEVRIG_TEST_RECORD_OPEN;
  if (!file) return;
  appendFileSync(file, JSON.stringify({ uri, newWindow, time: Date.now() }) + '\n');
}
