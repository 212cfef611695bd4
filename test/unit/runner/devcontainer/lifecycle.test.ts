import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LIFECYCLE_HOOKS,
  normalizeLifecycle,
  normalizeLifecycleCommand,
  type LifecycleCommand,
  type LifecycleCommandValue,
} from '../../../../runner/devcontainer';

const cases: { name: string; value: LifecycleCommandValue | undefined; expected: LifecycleCommand[] }[] = [
  { name: 'absent', value: undefined, expected: [] },
  {
    name: 'string runs through the shell',
    value: 'npm ci && npm run build',
    expected: [{ name: 'postCreateCommand', shell: 'npm ci && npm run build' }],
  },
  { name: 'blank string is nothing to run', value: '  ', expected: [] },
  {
    name: 'array is an argv without a shell',
    value: ['npm', 'run', 'dev server'],
    expected: [{ name: 'postCreateCommand', argv: ['npm', 'run', 'dev server'] }],
  },
  { name: 'empty array is nothing to run', value: [], expected: [] },
  {
    name: 'object is named commands in key order, each string or array',
    value: { server: 'npm start', db: ['docker', 'compose', 'up'], skipped: '' },
    expected: [
      { name: 'server', shell: 'npm start' },
      { name: 'db', argv: ['docker', 'compose', 'up'] },
    ],
  },
];

for (const c of cases) {
  test(`lifecycle command: ${c.name}`, () => {
    assert.deepEqual(normalizeLifecycleCommand('postCreateCommand', c.value), c.expected);
  });
}

test('all hooks are present, missing ones empty', () => {
  assert.deepEqual(LIFECYCLE_HOOKS, [
    'initializeCommand',
    'onCreateCommand',
    'updateContentCommand',
    'postCreateCommand',
    'postStartCommand',
    'postAttachCommand',
  ]);
  assert.deepEqual(normalizeLifecycle({ postStartCommand: 'echo hi', initializeCommand: ['true'] }), {
    initializeCommand: [{ name: 'initializeCommand', argv: ['true'] }],
    onCreateCommand: [],
    updateContentCommand: [],
    postCreateCommand: [],
    postStartCommand: [{ name: 'postStartCommand', shell: 'echo hi' }],
    postAttachCommand: [],
  });
});
