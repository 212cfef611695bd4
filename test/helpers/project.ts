import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const made: string[] = [];

/**
 * A temporary project folder with a .devcontainer/devcontainer.json (an object is
 * written as JSON, a string as is) and any extra files. Removed by removeProjects().
 */
export function makeProject(
  config: object | string,
  files: Record<string, string> = {},
  prefix = 'devrig-proj-',
): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  const all: Record<string, string> = {
    '.devcontainer/devcontainer.json': typeof config === 'string' ? config : JSON.stringify(config, null, 2),
    ...files,
  };
  // Tests run as root, but environments as a normal user (uid 1000): a user's own
  // folder is writable by them, so make this one writable for everybody.
  chmodSync(dir, 0o777);
  for (const [rel, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true, mode: 0o777 });
    writeFileSync(join(dir, rel), text, { mode: 0o666 });
  }
  return dir;
}

export function tempDir(prefix = 'devrig-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeProjects(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}
