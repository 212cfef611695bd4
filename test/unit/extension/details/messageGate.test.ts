import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseDetailsPanelState,
  parseHostMessage,
  parseViewMessage,
  type ViewMessage,
} from '../../../../runner/api';
import { COMMANDS } from '../../../../extension/commands/commandIds';
import { acceptViewMessage, previewMessage, restoredName } from '../../../../extension/details/messageGate';
import { PANEL_COMMAND_IDS, panelAction } from '../../../../extension/details/panelActions';
import { env } from '../../../helpers/resources';

const hostile: [string, unknown][] = [
  ['unknown type', { type: 'exec', command: 'rm -rf /' }],
  ['no type', { command: 'stop' }],
  ['not an object', 'stop'],
  ['null', null],
  ['array', [{ type: 'ready' }]],
  ['unknown command', { type: 'command', command: 'delete' }],
  ['command id instead of a verb', { type: 'command', command: 'devrig.delete' }],
  ['script in a string', { type: 'command', command: '<script>alert(1)</script>' }],
  ['script in a type', { type: '<img src=x onerror=alert(1)>' }],
  ['extra field: another environment', { type: 'command', command: 'stop', name: 'someone-else' }],
  ['extra field on ready', { type: 'ready', html: '<script>alert(1)</script>' }],
  ['port as a string', { type: 'port', action: 'open', port: '3000' }],
  ['port out of range', { type: 'port', action: 'open', port: 70000 }],
  ['port not an integer', { type: 'port', action: 'open', port: 80.5 }],
  ['unknown port action', { type: 'port', action: 'exec', port: 80 }],
  ['prototype pollution', JSON.parse('{"type":"command","command":"stop","__proto__":{"polluted":true}}')],
];

test('every hostile or malformed webview message is rejected, logged, and yields no action', () => {
  for (const [what, raw] of hostile) {
    const logged: string[] = [];
    const accepted = acceptViewMessage(raw, (why) => logged.push(why));
    assert.equal(accepted, undefined, what);
    assert.equal(logged.length, 1, what);
    assert.match(logged[0]!, /^rejected a message from the details webview \(.+\): /, what);
  }
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('valid webview messages pass unchanged and are not logged', () => {
  const ok: ViewMessage[] = [
    { type: 'ready' },
    { type: 'command', command: 'stop' },
    { type: 'port', action: 'copy', port: 3000 },
  ];
  for (const m of ok) {
    const logged: string[] = [];
    assert.deepEqual(
      acceptViewMessage(m, (w) => logged.push(w)),
      m,
    );
    assert.deepEqual(logged, []);
  }
});

test('the log line shows what arrived as inert, shortened JSON', () => {
  const logged: string[] = [];
  acceptViewMessage({ type: 'command', command: '<script>alert(1)</script>' }, (w) => logged.push(w));
  assert.match(logged[0]!, /command: Invalid option/);
  assert.match(logged[0]!, /"<script>alert\(1\)<\/script>"/);
  assert.ok(!logged[0]!.includes('\n'));
  const long = previewMessage({ type: 'x'.repeat(1000) });
  assert.ok(long.length < 260 && long.endsWith('chars)'), long);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.equal(previewMessage(cyclic), '[unserialisable object]');
  assert.equal(previewMessage(undefined), 'undefined');
});

test("panelAction: buttons run the tree commands with the panel's own environment name", () => {
  assert.deepEqual(panelAction({ type: 'ready' }, 'api'), { kind: 'snapshot' });
  assert.deepEqual(panelAction({ type: 'command', command: 'stop' }, 'api'), {
    kind: 'command',
    command: 'devrig.stop',
    args: ['api'],
  });
  assert.deepEqual(panelAction({ type: 'port', action: 'open', port: 3000 }, 'api'), {
    kind: 'command',
    command: COMMANDS.openPort,
    args: ['api', 3000],
  });
  assert.deepEqual(panelAction({ type: 'port', action: 'copy', port: 3000 }, 'api'), {
    kind: 'copyPort',
    name: 'api',
    port: 3000,
  });
  // Every verb maps to a registered command id, none to Delete.
  const ids = Object.values(COMMANDS) as string[];
  for (const id of Object.values(PANEL_COMMAND_IDS)) assert.ok(ids.includes(id), id);
  assert.ok(!Object.values(PANEL_COMMAND_IDS).includes(COMMANDS.delete));
});

test('host messages are validated too: the page drops what does not match', () => {
  assert.equal(parseHostMessage({ type: 'environment', environment: env('api', 'Running') }).ok, true);
  assert.equal(parseHostMessage({ type: 'environment', environment: null }).ok, true);
  assert.equal(parseHostMessage({ type: 'environment', environment: { kind: 'Environment' } }).ok, false);
  assert.equal(parseHostMessage({ type: 'log', data: 'x' }).ok, false);
  assert.equal(parseHostMessage({ type: 'stats', sample: { time: 't', cpuPercent: '1' } }).ok, false);
  assert.equal(parseHostMessage({ type: 'eval', code: 'alert(1)' }).ok, false);
  const r = parseViewMessage({ type: 'nope' });
  assert.equal(r.ok, false);
});

test('saved panel state: only a valid environment name is trusted, defaults fill the rest', () => {
  const ok = parseDetailsPanelState({ name: 'api' });
  assert.deepEqual(ok, { ok: true, value: { name: 'api', tab: 'conditions', follow: true, search: '' } });
  for (const bad of [
    undefined,
    null,
    {},
    { name: '../etc' },
    { name: '<script>' },
    { name: 'api', tab: 'shell' },
  ]) {
    assert.equal(parseDetailsPanelState(bad).ok, false, JSON.stringify(bad));
  }
});

test('restoredName: the extension-set title first, then only schema-valid saved state', () => {
  const warned: string[] = [];
  const warn = (m: string) => warned.push(m);
  assert.equal(restoredName({ title: 'devrig: api' }, undefined, warn), 'api');
  assert.equal(restoredName({ title: 'devrig: api' }, { name: 'other' }, warn), 'api');
  assert.equal(restoredName({ title: 'renamed' }, { name: 'web' }, warn), 'web');
  assert.deepEqual(warned, []);
  assert.equal(restoredName({ title: 'devrig: Not A Name' }, { name: '<script>' }, warn), undefined);
  assert.equal(restoredName({ title: 'x' }, null, warn), undefined);
  assert.equal(warned.length, 2);
  assert.match(warned[0]!, /invalid state/);
});
