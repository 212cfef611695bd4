import { readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { ConfigError } from './errors';

const LOOKED_FOR =
  '.devcontainer/devcontainer.json, .devcontainer.json or .devcontainer/<name>/devcontainer.json';

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Throws a NotFound ConfigError unless `folder` is an existing directory. */
async function requireFolder(folder: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(folder)).isDirectory();
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ConfigError(
      {
        code: 'NotFound',
        file: folder,
        message: missing ? 'folder does not exist' : 'folder cannot be read',
      },
      { cause: error },
    );
  }
  if (!isDirectory) throw new ConfigError({ code: 'NotFound', file: folder, message: 'is not a folder' });
}

/** Names of `.devcontainer/<name>/` folders that hold a devcontainer.json, sorted. */
async function namedConfigs(folder: string): Promise<string[]> {
  const base = path.join(folder, '.devcontainer');
  let names: string[];
  try {
    names = (await readdir(base, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
  const files = names.sort().map((name) => path.join(base, name, 'devcontainer.json'));
  const present = await Promise.all(files.map(isFile));
  return files.filter((_, i) => present[i]);
}

/**
 * The devcontainer.json files in `folder`, absolute, in the order the dev containers spec prefers them:
 * `.devcontainer/devcontainer.json`, `.devcontainer.json`, then `.devcontainer/<name>/devcontainer.json`.
 */
export async function findDevcontainerConfigs(folder: string): Promise<string[]> {
  const root = path.resolve(folder);
  await requireFolder(root);
  const fixed = [
    path.join(root, '.devcontainer', 'devcontainer.json'),
    path.join(root, '.devcontainer.json'),
  ];
  const present = await Promise.all(fixed.map(isFile));
  return [...fixed.filter((_, i) => present[i]), ...(await namedConfigs(root))];
}

/**
 * The config to use: `explicit` (relative to `folder` and inside it, or absolute) when given, else the
 * first one found. Throws a NotFound ConfigError saying what was looked for.
 */
export async function resolveDevcontainerConfigPath(folder: string, explicit?: string): Promise<string> {
  const root = path.resolve(folder);
  if (explicit === undefined || explicit === '') {
    const [first] = await findDevcontainerConfigs(root);
    if (first) return first;
    throw new ConfigError({
      code: 'NotFound',
      file: root,
      message: `no devcontainer config found; looked for ${LOOKED_FOR}`,
    });
  }
  await requireFolder(root);
  const file = path.resolve(root, explicit);
  const relative = path.relative(root, file);
  if (
    !path.isAbsolute(explicit) &&
    (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative))
  ) {
    throw new ConfigError({
      code: 'NotFound',
      file: explicit,
      message: `config path must stay inside ${root}`,
    });
  }
  if (!(await isFile(file)))
    throw new ConfigError({ code: 'NotFound', file, message: 'config file does not exist' });
  return file;
}
