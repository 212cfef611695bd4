import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  ConfigError,
  findDevcontainerConfigs,
  resolveDevcontainerConfigPath,
} from '../../../../runner/devcontainer';
import { removeProjects, tempDir } from '../../../helpers/project';

after(removeProjects);

/** A temp folder holding the given files (contents default to `{}`). */
function folderWith(files: string[]): string {
  const root = tempDir('devrig-find-');
  for (const file of files) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), '{}');
  }
  return root;
}

async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a rejection');
}

test('candidates come in spec order, named folders sorted', async () => {
  const root = folderWith([
    '.devcontainer/zeta/devcontainer.json',
    '.devcontainer/alpha/devcontainer.json',
    '.devcontainer.json',
    '.devcontainer/devcontainer.json',
    '.devcontainer/empty/other.json',
    '.devcontainer/nested/deeper/devcontainer.json',
  ]);
  assert.deepEqual(await findDevcontainerConfigs(root), [
    path.join(root, '.devcontainer/devcontainer.json'),
    path.join(root, '.devcontainer.json'),
    path.join(root, '.devcontainer/alpha/devcontainer.json'),
    path.join(root, '.devcontainer/zeta/devcontainer.json'),
  ]);
});

const firstCases: { name: string; files: string[]; expected: string }[] = [
  { name: 'root file only', files: ['.devcontainer.json'], expected: '.devcontainer.json' },
  {
    name: '.devcontainer/devcontainer.json beats .devcontainer.json',
    files: ['.devcontainer.json', '.devcontainer/devcontainer.json'],
    expected: '.devcontainer/devcontainer.json',
  },
  {
    name: '.devcontainer.json beats named folders',
    files: ['.devcontainer/a/devcontainer.json', '.devcontainer.json'],
    expected: '.devcontainer.json',
  },
  {
    name: 'first named folder by name',
    files: ['.devcontainer/python/devcontainer.json', '.devcontainer/go/devcontainer.json'],
    expected: '.devcontainer/go/devcontainer.json',
  },
];

for (const c of firstCases) {
  test(`resolveDevcontainerConfigPath picks the first candidate: ${c.name}`, async () => {
    const root = folderWith(c.files);
    assert.equal(await resolveDevcontainerConfigPath(root), path.join(root, c.expected));
  });
}

test('an explicit relative path is used as given, even over the default', async () => {
  const root = folderWith(['.devcontainer/devcontainer.json', 'configs/dev.json']);
  assert.equal(
    await resolveDevcontainerConfigPath(root, 'configs/dev.json'),
    path.join(root, 'configs/dev.json'),
  );
});

test('an explicit absolute path is allowed', async () => {
  const root = folderWith([]);
  const other = folderWith(['elsewhere.json']);
  const file = path.join(other, 'elsewhere.json');
  assert.equal(await resolveDevcontainerConfigPath(root, file), file);
});

test('an explicit relative path may not leave the folder', async () => {
  const root = folderWith(['inner/devcontainer.json', 'outside.json']);
  const inner = path.join(root, 'inner');
  assert.equal(
    await resolveDevcontainerConfigPath(inner, '../inner/devcontainer.json'),
    path.join(inner, 'devcontainer.json'),
    'a detour that ends inside is fine',
  );
  const error = await rejection(resolveDevcontainerConfigPath(inner, '../outside.json'));
  assert.equal(error.code, 'NotFound');
  assert.equal(error.message, `../outside.json: config path must stay inside ${inner}`);
});

test('an explicit path that does not exist is NotFound, naming the file', async () => {
  const root = folderWith([]);
  const error = await rejection(resolveDevcontainerConfigPath(root, 'nope.json'));
  assert.equal(error.code, 'NotFound');
  assert.equal(error.message, `${path.join(root, 'nope.json')}: config file does not exist`);
});

test('no config lists what was looked for', async () => {
  const root = folderWith(['README.md']);
  const error = await rejection(resolveDevcontainerConfigPath(root));
  assert.equal(error.code, 'NotFound');
  assert.equal(
    error.message,
    `${root}: no devcontainer config found; looked for .devcontainer/devcontainer.json, .devcontainer.json or .devcontainer/<name>/devcontainer.json`,
  );
});

test('a missing folder says so', async () => {
  const missing = path.join(folderWith([]), 'not-here');
  const error = await rejection(resolveDevcontainerConfigPath(missing));
  assert.equal(error.code, 'NotFound');
  assert.equal(error.message, `${missing}: folder does not exist`);
  assert.equal((error.cause as NodeJS.ErrnoException).code, 'ENOENT');
  const alsoMissing = await rejection(findDevcontainerConfigs(missing));
  assert.equal(alsoMissing.message, `${missing}: folder does not exist`);
});

test('a file in place of the folder says it is not a folder', async () => {
  const file = path.join(folderWith(['plain.txt']), 'plain.txt');
  const error = await rejection(resolveDevcontainerConfigPath(file));
  assert.equal(error.message, `${file}: is not a folder`);
});
