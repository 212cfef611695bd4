import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  substituteString,
  substituteVariables,
  type SubstitutionContext,
} from '../../../../runner/devcontainer';

const ctx: SubstitutionContext = {
  localWorkspaceFolder: '/home/ann/src/my-app',
  containerWorkspaceFolder: '/workspaces/app',
  localEnv: { HOME: '/home/ann', EMPTY: '', UNDEF: undefined },
  devcontainerId: 'abc123',
};
const withContainerEnv: SubstitutionContext = { ...ctx, containerEnv: { PATH: '/usr/bin', EMPTY: '' } };

const cases: { input: string; expected: string; ctx?: SubstitutionContext }[] = [
  { input: '${localWorkspaceFolder}', expected: '/home/ann/src/my-app' },
  { input: '${localWorkspaceFolderBasename}', expected: 'my-app' },
  { input: '${containerWorkspaceFolder}/node_modules', expected: '/workspaces/app/node_modules' },
  { input: '${containerWorkspaceFolderBasename}', expected: 'app' },
  { input: 'vol-${devcontainerId}', expected: 'vol-abc123' },
  { input: '${localEnv:HOME}/.ssh', expected: '/home/ann/.ssh' },
  { input: '${env:HOME}', expected: '/home/ann' },
  { input: '${localEnv:MISSING}', expected: '' },
  { input: '${localEnv:UNDEF:fallback}', expected: 'fallback' },
  { input: '${localEnv:MISSING:fallback}', expected: 'fallback' },
  { input: '${localEnv:MISSING:http://proxy:3128}', expected: 'http://proxy:3128' },
  { input: '${localEnv:EMPTY:fallback}', expected: '' },
  { input: '${containerEnv:PATH}', expected: '${containerEnv:PATH}' },
  { input: '${containerEnv:PATH}:/extra', expected: '/usr/bin:/extra', ctx: withContainerEnv },
  { input: '${containerEnv:NOPE:/bin}', expected: '/bin', ctx: withContainerEnv },
  { input: '${containerEnv:NOPE}', expected: '', ctx: withContainerEnv },
  { input: '${unknownThing}', expected: '${unknownThing}' },
  { input: '${localEnv}', expected: '${localEnv}' },
  { input: '${localWorkspaceFolder:extra}', expected: '${localWorkspaceFolder:extra}' },
  { input: 'a ${localEnv:HOME} b ${devcontainerId} c', expected: 'a /home/ann b abc123 c' },
  { input: 'no variables $HOME {x}', expected: 'no variables $HOME {x}' },
  {
    input: '${containerWorkspaceFolder}',
    expected: '${containerWorkspaceFolder}',
    ctx: { ...ctx, containerWorkspaceFolder: undefined },
  },
];

for (const c of cases) {
  test(`substitutes ${JSON.stringify(c.input)}${c.ctx?.containerEnv ? ' with containerEnv' : ''}`, () => {
    assert.equal(substituteString(c.input, c.ctx ?? ctx), c.expected);
  });
}

test('substitutes strings deep inside objects and arrays, not keys, leaving other values alone', () => {
  const input = {
    '${localEnv:HOME}': 'key stays',
    mounts: ['source=${localEnv:HOME}/.cache,target=/cache,type=bind'],
    nested: { list: [{ x: '${devcontainerId}' }, 3, true, null] },
  };
  assert.deepEqual(substituteVariables(input, ctx), {
    '${localEnv:HOME}': 'key stays',
    mounts: ['source=/home/ann/.cache,target=/cache,type=bind'],
    nested: { list: [{ x: 'abc123' }, 3, true, null] },
  });
  assert.equal(
    input.mounts[0],
    'source=${localEnv:HOME}/.cache,target=/cache,type=bind',
    'input is not mutated',
  );
});
