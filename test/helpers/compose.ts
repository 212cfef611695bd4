// Compose projects in tests: fixture copies, the reference CLI on the same config, and cleanup that
// only touches the projects the test itself named.
import { spawn } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from './project';
import { docker } from './docker';

export const FIXTURES = resolve(import.meta.dirname, '../fixtures/compose');
export const DEVCONTAINER = resolve(import.meta.dirname, '../../node_modules/.bin/devcontainer');

/** A private copy of a Compose fixture (the copy's folder name makes the project name unique). */
export function copyComposeFixture(name: string, folderName: string): string {
  const folder = join(tempDir('devrig-compose-'), folderName);
  cpSync(join(FIXTURES, name), folder, { recursive: true });
  return folder;
}

export function run(
  command: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

/** `devcontainer up` (the reference implementation) on a folder; its JSON result line. */
export async function referenceUp(
  folder: string,
  idLabel: string,
): Promise<{ outcome: string; containerId: string; composeProjectName?: string; remoteUser?: string }> {
  const res = await run(DEVCONTAINER, [
    'up',
    '--workspace-folder',
    folder,
    '--id-label',
    idLabel,
    // Only the project and its services are compared: no derived image to clean up afterwards.
    '--update-remote-user-uid-default',
    'never',
  ]);
  const line = res.stdout.trim().split('\n').pop() ?? '';
  if (res.code !== 0)
    throw new Error(`devcontainer up failed (${res.code}): ${line}\n${res.stderr.slice(-2000)}`);
  return JSON.parse(line) as { outcome: string; containerId: string; composeProjectName?: string };
}

/** Removes a Compose project the test created (containers, networks, its volumes) by name alone. */
export async function composeDownProject(projectName: string): Promise<void> {
  await run('docker', ['compose', '-p', projectName, 'down', '--volumes', '--remove-orphans'], { cwd: '/' });
}

/** Names of running containers of a Compose project, by service. */
export async function projectServices(projectName: string): Promise<Record<string, string>> {
  const list = await docker.listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${projectName}`] },
  });
  return Object.fromEntries(list.map((c) => [c.Labels['com.docker.compose.service'] ?? '?', c.State]));
}

/** Removes images by name, ignoring ones already gone. */
export async function removeImages(names: readonly string[]): Promise<void> {
  for (const name of names)
    await docker
      .getImage(name)
      .remove({ force: true })
      .catch(() => {});
}
