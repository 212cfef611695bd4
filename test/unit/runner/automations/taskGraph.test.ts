import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  findCycle,
  runOrder,
  unknownDependencies,
  type TaskDeps,
} from '../../../../runner/automations/taskGraph';

const g = (edges: Record<string, string[]>): TaskDeps =>
  Object.fromEntries(Object.entries(edges).map(([k, v]) => [k, { dependsOn: v }]));

const cycles: [string, Record<string, string[]>, string[] | undefined][] = [
  ['no tasks', {}, undefined],
  ['a chain', { a: [], b: ['a'], c: ['b'] }, undefined],
  ['a diamond', { a: [], b: ['a'], c: ['a'], d: ['b', 'c'] }, undefined],
  ['a task on itself', { a: ['a'] }, ['a', 'a']],
  ['two tasks', { a: ['b'], b: ['a'] }, ['a', 'b', 'a']],
  ['a longer loop behind a chain', { x: ['a'], a: ['b'], b: ['c'], c: ['a'] }, ['a', 'b', 'c', 'a']],
  ['unknown dependencies are not cycles', { a: ['nope'] }, undefined],
];
for (const [what, edges, want] of cycles) {
  test(`findCycle: ${what}`, () => assert.deepEqual(findCycle(g(edges)), want));
}

const orders: [string, Record<string, string[]>, string[], string[]][] = [
  ['dependencies first', { a: [], b: ['a'], c: ['b'] }, ['c'], ['a', 'b', 'c']],
  ['only what is needed', { a: [], b: ['a'], c: [] }, ['b'], ['a', 'b']],
  ['each once in a diamond', { a: [], b: ['a'], c: ['a'], d: ['b', 'c'] }, ['d'], ['a', 'b', 'c', 'd']],
  ['several roots', { a: [], b: [], c: ['a'] }, ['c', 'b'], ['a', 'c', 'b']],
  ['unknown roots are skipped', { a: [] }, ['zzz', 'a'], ['a']],
];
for (const [what, edges, roots, want] of orders) {
  test(`runOrder: ${what}`, () => assert.deepEqual(runOrder(g(edges), roots), want));
}

test('unknownDependencies names the task and the missing dependency', () => {
  assert.deepEqual(unknownDependencies(g({ a: ['b', 'x'], b: [], c: ['y'] })), [
    { task: 'a', dependency: 'x' },
    { task: 'c', dependency: 'y' },
  ]);
});
