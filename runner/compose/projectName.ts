import { readFile } from 'node:fs/promises';
import * as path from 'node:path';

/** What the project name is derived from (see composeProjectName). */
export interface ProjectNameInputs {
  /** COMPOSE_PROJECT_NAME in the runner's environment. */
  envProjectName?: string;
  /** The text of `.env` in the workspace folder, if there is one. */
  workspaceDotEnv?: string;
  /** `name` of the effective project, as `compose config` reports it. */
  composeName?: string;
  /** Whether one of the Compose files writes a top-level `name:` itself. */
  filesDeclareName: boolean;
  /** The local workspace folder (the source folder). */
  workspaceFolder: string;
  /** The first Compose file (absolute). */
  firstComposeFile: string;
}

/** Compose v2's rule for a name: lower case, only letters, digits, `-` and `_`. */
export function toProjectName(text: string): string {
  return text.toLowerCase().replace(/[^-_a-z0-9]/g, '');
}

/**
 * The Compose project name, derived as the reference implementation derives it, so that devrig and
 * Dev Containers agree on which project a folder is: COMPOSE_PROJECT_NAME from the environment, else
 * from `.env` in the workspace folder, else the project's own `name` (written in a file, or derived by
 * Compose from a folder other than `.devcontainer`), else `<workspace>_devcontainer` when the first
 * file is in the workspace's `.devcontainer` folder, else that file's folder name.
 */
export function composeProjectName(i: ProjectNameInputs): string {
  const fromEnv = toProjectName(i.envProjectName ?? '');
  if (fromEnv) return fromEnv;
  const dotEnv = /^COMPOSE_PROJECT_NAME=(.+)$/m.exec(i.workspaceDotEnv ?? '')?.[1]?.trim();
  const fromDotEnv = toProjectName(dotEnv ?? '');
  if (fromDotEnv) return fromDotEnv;
  // Compose names a project after the first file's folder: "devcontainer" says nothing by itself.
  if (i.composeName && (i.composeName !== 'devcontainer' || i.filesDeclareName)) {
    const named = toProjectName(i.composeName);
    if (named) return named;
  }
  const workingDir = path.dirname(i.firstComposeFile);
  if (path.resolve(workingDir) === path.resolve(i.workspaceFolder, '.devcontainer')) {
    return toProjectName(`${path.basename(i.workspaceFolder)}_devcontainer`);
  }
  return toProjectName(path.basename(workingDir));
}

/** Whether a Compose file's text has a top-level `name` (a file that does not parse has none). */
export async function declaresName(text: string): Promise<boolean> {
  const { parse } = await import('yaml');
  try {
    const doc = parse(text) as unknown;
    return typeof doc === 'object' && doc !== null && typeof (doc as { name?: unknown }).name === 'string';
  } catch {
    return false;
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') return undefined;
    throw e;
  }
}

/** Reads what composeProjectName needs from the machine: the environment, `.env`, the files. */
export async function readProjectNameInputs(opts: {
  workspaceFolder: string;
  files: readonly string[];
  composeName?: string;
  env?: NodeJS.ProcessEnv;
}): Promise<ProjectNameInputs> {
  const env = opts.env ?? process.env;
  const texts = await Promise.all(opts.files.map(readIfExists));
  const dotEnv = await readIfExists(path.join(opts.workspaceFolder, '.env'));
  return {
    ...(env.COMPOSE_PROJECT_NAME ? { envProjectName: env.COMPOSE_PROJECT_NAME } : {}),
    ...(dotEnv !== undefined ? { workspaceDotEnv: dotEnv } : {}),
    ...(opts.composeName ? { composeName: opts.composeName } : {}),
    filesDeclareName: (await Promise.all(texts.map((t) => (t === undefined ? false : declaresName(t))))).some(
      Boolean,
    ),
    workspaceFolder: opts.workspaceFolder,
    firstComposeFile: opts.files[0] ?? '',
  };
}
