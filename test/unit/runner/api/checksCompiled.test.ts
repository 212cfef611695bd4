import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as zodChecks from '../../../../runner/api/checks';
import { compiledChecksSource } from '../../../../runner/api/compileChecks';
import { checkName } from '../../../../runner/api/checkName';
import { Methods, type MethodName } from '../../../../runner/api/protocol';
import { cond, env, host } from '../../../helpers/resources';

// The CLI checks what the runner sends with checks compiled from the schemas at build time
// (esbuild.mjs swaps checks.ts for checksCompiled.ts); the rest of devrig checks with zod. The two
// must agree: the same messages pass and fail.
type Compiled = Record<string, ((x: unknown) => boolean) | undefined>;
const compiled: Compiled = (() => {
  const m = { exports: {} as Compiled };
  new Function('module', 'exports', 'require', compiledChecksSource())(
    m,
    m.exports,
    createRequire(__filename),
  );
  return m.exports;
})();

const running = env('web', 'Running', {
  conditions: [cond('Ready', 'True', 'Ready')],
  status: { containerId: 'c1', workspaceFolder: '/workspaces/web', remoteUser: 'vscode' },
});
const { kind: _kind, ...noKind } = running;
void _kind;

const results: [MethodName, unknown, boolean][] = [
  ['hello', { version: '0.1.0', apiVersion: 1, pid: 42, startedAt: '2026-01-01T00:00:00.000Z' }, true],
  ['list', { items: [running, host('h1', 'Ready')], resourceVersion: '7' }, true],
  ['list', { items: [noKind], resourceVersion: '7' }, false],
  [
    'list',
    { items: [{ ...running, status: { ...running.status, phase: 'Sleeping' } }], resourceVersion: '7' },
    false,
  ],
  ['get', running, true],
  ['get', { ...running, metadata: { ...running.metadata, generation: -1 } }, false],
  ['get', { ...running, metadata: { ...running.metadata, name: 'Not A Name' } }, false],
  ['apply', { ...running, extra: 'a newer runner may add fields' }, true],
  ['shutdown', { ok: true }, true],
  ['shutdown', { ok: false }, false],
  [
    'sshInfo',
    {
      port: 2222,
      hostKey: 'k',
      hostKeyFingerprint: 'f',
      identityFile: '/id',
      knownHostsFile: '/kh',
      configFile: '/c',
    },
    true,
  ],
  ['sshInfo', { port: 2222, hostKey: 'k', hostKeyFingerprint: 'f', identityFile: '/id' }, false],
];
const events: [MethodName, unknown, boolean][] = [
  ['watch', { type: 'MODIFIED', object: running }, true],
  ['watch', { type: 'RENAMED', object: running }, false],
  ['logs', { data: 'line\n' }, true],
  ['logs', { data: 7 }, false],
  ['exec', { kind: 'stdout', data: 'aGk=' }, true],
  ['exec', { kind: 'exit', code: null }, true],
  ['exec', { kind: 'exit', code: 1.5 }, false],
  ['exec', { kind: 'pty', data: '' }, false],
];

describe('compiled checks agree with the schemas', () => {
  test('every method has a compiled result check, and every stream its event check', () => {
    for (const [method, def] of Object.entries(Methods) as [MethodName, (typeof Methods)[MethodName]][]) {
      assert.equal(typeof compiled[checkName('result', method)], 'function', method);
      if ('event' in def) assert.equal(typeof compiled[checkName('event', method)], 'function', method);
    }
  });

  for (const [method, value, ok] of results) {
    test(`${method} result ${ok ? 'passes' : 'fails'}: ${JSON.stringify(value).slice(0, 70)}`, () => {
      assert.equal(zodChecks.checkResult(method, value).ok, ok, 'zod');
      assert.equal(compiled[checkName('result', method)]!(value), ok, 'compiled');
    });
  }
  for (const [method, value, ok] of events) {
    test(`${method} event ${ok ? 'passes' : 'fails'}: ${JSON.stringify(value).slice(0, 70)}`, () => {
      assert.equal(zodChecks.checkEvent(method, value) !== undefined, ok, 'zod');
      assert.equal(compiled[checkName('event', method)]!(value), ok, 'compiled');
    });
  }

  test('frames and runner.json', () => {
    const cases: [string, unknown, boolean][] = [
      ['frame', { id: 1, result: { anything: true } }, true],
      ['frame', { id: 1, error: { code: 'Conflict', message: 'stale' } }, true],
      ['frame', { id: 1, error: { code: 'Teapot', message: 'x' } }, false],
      ['frame', { id: 'one', result: {} }, false],
      ['frame', { result: {} }, false],
      ['runnerInfo', { pid: 1, port: 5000, version: '0.1.0', startedAt: 'now' }, true],
      ['runnerInfo', { pid: 1, port: '5000', version: '0.1.0', startedAt: 'now' }, false],
    ];
    for (const [check, value, ok] of cases) {
      const viaZod =
        check === 'frame'
          ? zodChecks.checkFrame(value) !== undefined
          : zodChecks.checkRunnerInfo(value) !== undefined;
      assert.equal(viaZod, ok, `zod ${check} ${JSON.stringify(value)}`);
      assert.equal(compiled[check]!(value), ok, `compiled ${check} ${JSON.stringify(value)}`);
    }
  });
});
