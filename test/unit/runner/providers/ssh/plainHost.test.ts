import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  hostPath,
  newRecord,
  observe,
  parseRecords,
  safeToRemove,
  statsFrom,
  volumePath,
} from '../../../../../runner/providers/ssh/plainHost';
import { shCommand, shq } from '../../../../../runner/providers/ssh/remoteShell';
import { hostStatus } from '../../../../../runner/hosts/hostStatus';
import type { Host } from '../../../../../runner/api';

const HOME = '/home/dev';

test('plain host: paths outside the home folder land in the environment folder', () => {
  const cdir = '/home/dev/.devrig/containers/x';
  assert.equal(
    hostPath('/var/lib/devrig/markers', HOME, cdir),
    '/home/dev/.devrig/containers/x/root/var/lib/devrig/markers',
  );
  assert.equal(hostPath('/', HOME, cdir), '/home/dev/.devrig/containers/x/root');
  assert.equal(hostPath('/home/dev/.devrig/workspaces/e', HOME, cdir), '/home/dev/.devrig/workspaces/e');
  assert.equal(hostPath('/home/devil/x', HOME, cdir), '/home/dev/.devrig/containers/x/root/home/devil/x');
  assert.equal(hostPath('/home/dev/../dev2', HOME, cdir), '/home/dev/.devrig/containers/x/root/home/dev2');
});

test('plain host: the workspace volume is ~/<workspaceRoot>/<env>; others are devrig folders', () => {
  const ws = { 'devrig.kind': 'workspace', 'devrig.environment': 'web' };
  assert.equal(volumePath(HOME, '.devrig/workspaces', 'v', ws), '/home/dev/.devrig/workspaces/web');
  assert.equal(volumePath(HOME, '/srv/ws', 'v', ws), '/srv/ws/web');
  assert.equal(volumePath(HOME, '.devrig/workspaces', 'cache', {}), '/home/dev/.devrig/volumes/cache');
});

test('plain host: only folders inside devrig roots are ever removed', () => {
  const roots = ['/home/dev/.devrig', '/home/dev/.devrig/workspaces'];
  assert.ok(safeToRemove('/home/dev/.devrig/workspaces/web', roots));
  assert.ok(!safeToRemove('/home/dev/.devrig', roots));
  assert.ok(!safeToRemove('/home/dev', roots));
  assert.ok(!safeToRemove('/home/dev/.devrig/../.ssh', roots));
  assert.ok(!safeToRemove('relative/path', roots));
  assert.ok(!safeToRemove('/etc', roots));
});

test('plain host: running means started in this boot', () => {
  const r = { ...newRecord({ id: 'x', name: 'x', labels: {}, env: {}, workspace: '/w', ignored: [] }) };
  assert.equal(observe(r, 'boot1').state, 'created');
  const started = { ...r, state: 'running' as const, bootId: 'boot1', startedAt: '2026-01-01T00:00:00Z' };
  assert.equal(observe(started, 'boot1').running, true);
  const rebooted = observe(started, 'boot2');
  assert.equal(rebooted.running, false);
  assert.equal(rebooted.state, 'exited');
});

test('plain host: records parse line by line, a torn line is skipped', () => {
  const text = 'boot-id\n{"id":"a"}\n{"id":\n\n{"id":"b"}\n';
  assert.deepEqual(
    parseRecords<{ id: string }>(text).map((r) => r.id),
    ['a', 'b'],
  );
});

test('plain host: cpu from /proc/stat deltas, memory from MemAvailable', () => {
  const first = statsFrom(undefined, 'cpu 100 0 100 800 0 0 0 0', 1000, 400, 2);
  assert.equal(first.sample.cpuPercent, 0);
  const next = statsFrom(first.cpu, 'cpu 150 0 150 900 0 0 0 0', 1000, 400, 2);
  assert.equal(next.sample.cpuPercent, 100);
  assert.equal(next.sample.memoryBytes, 600 * 1024);
  assert.equal(next.sample.memoryLimitBytes, 1000 * 1024);
});

test('remote shell quoting survives quotes, spaces and $', () => {
  assert.equal(shq(`it's $HOME`), `'it'\\''s $HOME'`);
  assert.equal(shCommand('echo "$1"', ['a b']), `exec /bin/sh -c 'echo "$1"' devrig 'a b'`);
});

const baseHost = (mode: 'docker' | 'plain' = 'docker'): Host => ({
  kind: 'Host',
  metadata: {
    name: 'box',
    uid: 'u',
    generation: 2,
    resourceVersion: '1',
    creationTimestamp: 'x',
    finalizers: [],
    labels: {},
  },
  spec: {
    address: '10.0.0.5',
    port: 22,
    user: 'dev',
    mode,
    dockerSocket: '/var/run/docker.sock',
    workspaceRoot: '.devrig/workspaces',
    capacity: { maxEnvironments: 3 },
  },
  status: { phase: 'Pending', observedGeneration: 0, conditions: [], environments: [] },
});
const now = new Date('2026-01-01T00:00:00Z');
const since = now.toISOString();

test('host status: connected with a usable engine → Ready, capacity left', () => {
  const s = hostStatus(
    baseHost(),
    {
      state: { phase: 'ready', since, serverVersion: 'OpenSSH_9.2' },
      presentedKey: { line: 'ssh-ed25519 AAAA', fingerprint: 'SHA256:x' },
      os: 'Debian',
      docker: { ok: true, version: '24.0' },
      environments: [{ name: 'b' }, { name: 'a' }],
    },
    now,
  );
  assert.equal(s.phase, 'Ready');
  assert.deepEqual(s.environments, ['a', 'b']);
  assert.equal(s.free?.environments, 1);
  assert.equal(s.serverInfo, 'OpenSSH_9.2; Debian; Docker 24.0');
  assert.equal(s.observedGeneration, 2);
});

test('host status: connected but Docker unusable → Failed, with the reason', () => {
  const s = hostStatus(
    baseHost(),
    {
      state: { phase: 'ready', since, serverVersion: 'OpenSSH_9.2' },
      docker: { ok: false, message: 'permission denied' },
      environments: [],
    },
    now,
  );
  assert.equal(s.phase, 'Failed');
  const ready = s.conditions.find((c) => c.type === 'Ready')!;
  assert.equal(ready.reason, 'DockerUnavailable');
  assert.match(ready.message, /permission denied/);
});

test('host status: awaiting acceptance → Pending; a changed key → Failed with the message', () => {
  const waiting = hostStatus(
    baseHost('plain'),
    {
      state: { phase: 'down', since, reason: 'AwaitingAcceptance', message: 'accept it', retryInMs: 30_000 },
      presentedKey: { line: 'ssh-ed25519 AAAA', fingerprint: 'SHA256:x' },
      environments: [],
    },
    now,
  );
  assert.equal(waiting.phase, 'Pending');
  assert.equal(waiting.observedHostKey, 'ssh-ed25519 AAAA');
  const changed = hostStatus(
    baseHost('plain'),
    {
      state: { phase: 'down', since, reason: 'HostKeyMismatch', message: 'REFUSED', retryInMs: 30_000 },
      environments: [],
    },
    now,
  );
  assert.equal(changed.phase, 'Failed');
  assert.equal(changed.conditions.find((c) => c.type === 'HostKeyVerified')?.reason, 'HostKeyMismatch');
  const lost = hostStatus(
    baseHost('plain'),
    {
      state: { phase: 'down', since, reason: 'Unreachable', message: 'keepalive timeout', retryInMs: 1000 },
      environments: [],
    },
    now,
  );
  assert.equal(lost.phase, 'Unreachable');
});
