import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EnvironmentPhase, PanelCommand, PortStatus } from '../../../runner/api';
import { actionViews } from '../../../webview/model/actions';
import { conditionRows } from '../../../webview/model/conditions';
import { historyRows } from '../../../webview/model/history';
import { iconView, phaseView, themeColorVar } from '../../../webview/model/phase';
import { portRows } from '../../../webview/model/ports';
import { absoluteTime, formatBytes, formatSpan, relativeTime } from '../../../webview/model/time';
import { detailsViewModel } from '../../../webview/viewModel';
import { cond, env } from '../../helpers/resources';

const NOW = Date.parse('2026-01-01T01:00:00.000Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

test('relativeTime and formatSpan', () => {
  const cases: [string | undefined, string][] = [
    [ago(0), 'just now'],
    [ago(4_999), 'just now'],
    [ago(42_000), '42s ago'],
    [ago(5 * 60_000 + 30_000), '5m ago'],
    [ago(65 * 60_000), '1h 5m ago'],
    [ago(3 * 3600_000), '3h ago'],
    [ago(50 * 3600_000), '2d 2h ago'],
    [new Date(NOW + 5 * 60_000).toISOString(), 'in 5m'],
    ['not a date', ''],
    [undefined, ''],
  ];
  for (const [iso, want] of cases) assert.equal(relativeTime(iso, NOW), want, String(iso));
  assert.equal(formatSpan(48 * 3600_000), '2d');
  assert.equal(absoluteTime('2026-01-01T00:00:00.123Z'), '2026-01-01 00:00:00Z');
});

test('formatBytes', () => {
  const cases: [number, string][] = [
    [0, '0 B'],
    [512, '512 B'],
    [1536, '1.5 KiB'],
    [120 * 1024 * 1024, '120 MiB'],
    [2 * 1024 ** 3, '2.0 GiB'],
    [-1, ''],
    [NaN, ''],
  ];
  for (const [n, want] of cases) assert.equal(formatBytes(n), want, String(n));
});

test('phaseView uses the tree icons: spinning while busy, coloured by theme variables', () => {
  const cases: [EnvironmentPhase | undefined, string, boolean, string, string][] = [
    ['Running', 'vm-running', false, 'var(--vscode-charts-green)', 'ok'],
    ['Starting', 'sync', true, '', 'busy'],
    ['Building', 'sync', true, '', 'busy'],
    ['Stopped', 'debug-stop', false, '', 'idle'],
    ['Failed', 'error', false, 'var(--vscode-errorForeground)', 'error'],
    ['Unreachable', 'debug-disconnect', false, 'var(--vscode-list-warningForeground)', 'warning'],
    [undefined, 'question', false, '', 'idle'],
  ];
  for (const [phase, name, spin, color, tone] of cases) {
    const v = phaseView(phase);
    assert.deepEqual(
      [v.icon.name, v.icon.spin, v.icon.color, v.tone],
      [name, spin, color, tone],
      String(phase),
    );
  }
  assert.deepEqual(iconView({ id: 'sync~spin' }), { name: 'sync', spin: true, color: '' });
  assert.equal(themeColorVar('list.warningForeground'), 'var(--vscode-list-warningForeground)');
});

test('conditionRows: Ready first, then bring-up order, unknown types last; icons by status and progress', () => {
  const conditions = [
    { ...cond('Custom', 'True', 'Fine'), lastTransitionTime: ago(10_000) },
    cond('ContainerRunning', 'False', 'Starting'),
    cond('ImageReady', 'False', 'PullFailed', 'pull access denied'),
    cond('Ready', 'False', 'Waiting'),
    cond('ConfigValid', 'True', 'Valid'),
    cond('WorkspaceReady', 'Unknown', 'Checking'),
  ];
  const rows = conditionRows(conditions, true, NOW);
  assert.deepEqual(
    rows.map((r) => r.type),
    ['Ready', 'ConfigValid', 'ImageReady', 'WorkspaceReady', 'ContainerRunning', 'Custom'],
  );
  const by = Object.fromEntries(rows.map((r) => [r.type, r]));
  assert.deepEqual([by.Ready!.icon.name, by.Ready!.icon.spin, by.Ready!.tone], ['sync', true, 'busy']);
  assert.deepEqual([by.ImageReady!.icon.name, by.ImageReady!.tone], ['error', 'error']);
  assert.equal(by.ImageReady!.message, 'pull access denied');
  assert.equal(by.ImageReady!.reasonText, 'pull failed');
  assert.deepEqual([by.ConfigValid!.icon.name, by.ConfigValid!.tone], ['pass', 'ok']);
  assert.deepEqual([by.WorkspaceReady!.icon.name, by.WorkspaceReady!.tone], ['question', 'idle']);
  assert.equal(by.Custom!.since, '10s ago');
  assert.equal(by.Custom!.sinceTitle, absoluteTime(ago(10_000)));
});

test('conditionRows: "in progress" reasons do not spin once the environment is settled, Stopped never spins', () => {
  const settled = conditionRows([cond('ContainerRunning', 'False', 'Starting')], false, NOW)[0]!;
  assert.deepEqual([settled.icon.name, settled.icon.spin, settled.tone], ['circle-outline', false, 'idle']);
  const stopped = conditionRows([cond('ContainerRunning', 'False', 'Stopped')], true, NOW)[0]!;
  assert.deepEqual([stopped.icon.name, stopped.icon.spin], ['circle-outline', false]);
});

test('historyRows: newest first, how long each phase lasted, the last one current', () => {
  const rows = historyRows(
    [
      { phase: 'Pending', time: ago(200_000) },
      { phase: 'Building', time: ago(198_000), reason: 'Pulling' },
      { phase: 'Running', time: ago(120_000) },
    ],
    NOW,
  );
  assert.deepEqual(
    rows.map((r) => [r.phase.label, r.when, r.lasted, r.reason]),
    [
      ['Running', '2m ago', 'current', ''],
      ['Building', '3m ago', '1m', 'Pulling'],
      ['Pending', '3m ago', '< 5s', ''],
    ],
  );
  assert.deepEqual(historyRows([], NOW), []);
});

test('portRows: sorted, open/copy only for forwarded ports with a local port', () => {
  const ports: PortStatus[] = [
    { port: 8080, protocol: 'tcp', source: 'detected', state: 'Pending' },
    { port: 3000, protocol: 'tcp', label: 'web', source: 'config', state: 'Forwarded', localPort: 43121 },
    { port: 5432, protocol: 'tcp', source: 'config', state: 'Error', message: 'port in use' },
    { port: 9000, protocol: 'tcp', source: 'config', state: 'Forwarded' },
  ];
  const rows = portRows(ports);
  assert.deepEqual(
    rows.map((r) => [r.port, r.label, r.address, r.canOpen, r.canCopy, r.tone]),
    [
      [3000, 'web', '127.0.0.1:43121', true, true, 'ok'],
      [5432, '', '', false, false, 'error'],
      [8080, '', '', false, false, 'busy'],
      [9000, '', '', false, false, 'ok'],
    ],
  );
  assert.equal(rows[1]!.message, 'port in use');
});

test('actionViews: enabled in the phases the tree menus offer them, all off without a runner', () => {
  const enabled = (phase: EnvironmentPhase | undefined, connected = true) =>
    actionViews(phase, connected)
      .filter((a) => a.enabled)
      .map((a) => a.command);
  const cases: [EnvironmentPhase | undefined, PanelCommand[]][] = [
    ['Running', ['stop', 'restart', 'rebuild', 'openInRemoteSsh', 'openTerminal', 'showLogs']],
    ['Stopped', ['start', 'rebuild', 'openInRemoteSsh', 'openTerminal', 'showLogs']],
    ['Failed', ['retry', 'stop', 'restart', 'rebuild', 'showLogs']],
    ['Building', ['stop', 'rebuild', 'showLogs']],
    ['Stopping', ['rebuild', 'showLogs']],
    ['Deleting', ['showLogs']],
    [undefined, []],
  ];
  for (const [phase, want] of cases) assert.deepEqual(enabled(phase), want, String(phase));
  assert.deepEqual(enabled('Running', false), []);
  const stop = actionViews('Stopping', true).find((a) => a.command === 'stop')!;
  assert.equal(stop.title, 'Not available while Stopping');
  assert.equal(actionViews('Running', false)[0]!.title, 'Not connected to the devrig runner');
});

test('actionViews: one primary button — Start when it can start, else Open', () => {
  const primary = (phase: EnvironmentPhase) =>
    actionViews(phase, true)
      .filter((a) => a.primary)
      .map((a) => a.command);
  assert.deepEqual(primary('Stopped'), ['start']);
  assert.deepEqual(primary('Running'), ['openInRemoteSsh']);
  assert.deepEqual(primary('Building'), []);
});

test('detailsViewModel: overview rows, notices and stats availability', () => {
  const running = env('api', 'Running', {
    conditions: [cond('Ready', 'True', 'Ready')],
    status: {
      image: 'devrig/api:abc',
      workspaceFolder: '/workspaces/api',
      containerName: 'devrig-api',
      containerId: '0123456789abcdef0123',
      remoteUser: 'vscode',
      startedAt: ago(90_000),
    },
  });
  const vm = detailsViewModel({
    name: 'api',
    environment: running,
    runner: { state: 'connected' },
    sshCommand: 'ssh devrig-api',
    now: NOW,
  });
  assert.equal(vm.known, true);
  assert.equal(vm.phase.label, 'Running');
  assert.equal(vm.notice, undefined);
  assert.equal(vm.statsLive, true);
  assert.deepEqual(
    vm.overview.map((r) => [r.label, r.value]),
    [
      ['Host', 'local'],
      ['Image', 'devrig/api:abc'],
      ['Workspace folder', '/workspaces/api'],
      ['Source', '/src/api'],
      ['Desired state', 'Running'],
      ['Container', 'devrig-api (0123456789ab)'],
      ['Remote user', 'vscode'],
      ['Started', '1m ago'],
    ],
  );

  const failed = env('api', 'Failed', {
    conditions: [cond('ImageReady', 'False', 'PullFailed', 'no registry')],
    status: { lastError: 'image: no registry' },
  });
  const f = detailsViewModel({
    name: 'api',
    environment: failed,
    runner: { state: 'connected' },
    sshCommand: '',
    now: NOW,
  });
  assert.deepEqual(f.notice, { tone: 'error', text: 'image: no registry' });
  assert.equal(f.phaseDetail, 'pull failed');
  assert.equal(f.statsLive, false);

  const away = detailsViewModel({
    name: 'api',
    environment: running,
    runner: { state: 'disconnected', message: 'ECONNREFUSED' },
    sshCommand: '',
    now: NOW,
  });
  assert.equal(away.notice?.tone, 'warning');
  assert.match(away.notice!.text, /disconnected: ECONNREFUSED/);
  assert.equal(away.statsLive, false);
  assert.ok(away.actions.every((a) => !a.enabled));

  const gone = detailsViewModel({
    name: 'api',
    environment: null,
    runner: { state: 'connected' },
    sshCommand: '',
    now: NOW,
  });
  assert.equal(gone.known, false);
  assert.equal(gone.phase.label, 'Unknown');
  assert.equal(gone.notice?.tone, 'info');
  assert.deepEqual([gone.overview, gone.conditions, gone.history, gone.ports], [[], [], [], []]);
});

test('detailsViewModel: git sources show url#ref', () => {
  const e = env('g', 'Stopped', { git: 'https://example.invalid/r.git' });
  e.spec.source.git!.ref = 'main';
  const vm = detailsViewModel({
    name: 'g',
    environment: e,
    runner: { state: 'connected' },
    sshCommand: '',
    now: NOW,
  });
  assert.equal(vm.overview.find((r) => r.label === 'Source')?.value, 'https://example.invalid/r.git#main');
});

test('detailsViewModel: each Feature with its version and digest, options in the tooltip', () => {
  const digest = `sha256:${'ab12'.repeat(16)}`;
  const withFeatures = env('api', 'Running', {
    status: {
      features: {
        items: [
          {
            id: 'localhost:5000/t/hello:1',
            kind: 'oci',
            version: '1.2.0',
            digest,
            options: { greeting: 'hi' },
          },
          { id: './mine', kind: 'local', digest, options: {}, requiredBy: 'x', asks: ['privileged'] },
        ],
      },
    },
  });
  const vm = detailsViewModel({
    name: 'api',
    environment: withFeatures,
    runner: { state: 'connected' },
    sshCommand: 'ssh devrig-api',
    now: NOW,
  });
  const rows = vm.overview.filter((r) => r.label === 'Feature');
  assert.deepEqual(
    rows.map((r) => [r.value, r.title]),
    [
      ['localhost:5000/t/hello:1 1.2.0 (ab12ab12ab12)', 'options: greeting=hi'],
      ['./mine (ab12ab12ab12)', 'default options\nrequired by x\nasks for privileged'],
    ],
  );
});
