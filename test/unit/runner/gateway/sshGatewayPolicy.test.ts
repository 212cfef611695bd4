import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EnvironmentStatus, type Environment } from '../../../../runner/api';
import {
  isAuthorized,
  parseAuthorizedKeys,
  parsePublicKeyLine,
} from '../../../../runner/sshConfig/authorizedKeys';
import { accessFor, startOutcome } from '../../../../runner/client/environmentAccess';
import { tcpForwardDecision } from '../../../../runner/gateway/forwardPolicy';
import { parseStoredPort, portCandidates, requestedPort } from '../../../../runner/gateway/gatewayPort';
import { knownHostsAction, sshConfigText } from '../../../../runner/gateway/sshConfigWriter';
import { sshPaths } from '../../../../runner/state/sshPaths';

const ED = 'AAAAC3NzaC1lZDI1NTE5AAAAIHw644RFXGn3dCWlO/LGke7PmPudcM03Mw22SRBlM2AV';
const ED2 = 'AAAAC3NzaC1lZDI1NTE5AAAAIGbyaZn2fQWJuZPxu2YLj6mB+2z3lU0fiPQUBxMo9z9T';

test('parseAuthorizedKeys keeps plain keys and reports what it skips, with line numbers', () => {
  const text = [
    '# my laptop',
    `ssh-ed25519 ${ED} me@laptop`,
    '',
    `  ssh-ed25519 ${ED2}  `,
    `command="echo hi" ssh-ed25519 ${ED} restricted`,
    'ssh-ed25519 not*base64',
    `ssh-rsa ${ED} mislabelled`,
    'garbage line',
  ].join('\r\n');
  const r = parseAuthorizedKeys(text);
  assert.deepEqual(
    r.keys.map((k) => [k.type, k.blob.toString('base64'), k.comment]),
    [
      ['ssh-ed25519', ED, 'me@laptop'],
      ['ssh-ed25519', ED2, ''],
    ],
  );
  assert.deepEqual(r.problems, [
    { line: 5, message: 'key options are not supported; remove them or the key' },
    { line: 6, message: 'the key is not base64' },
    { line: 7, message: 'the key data does not hold a ssh-rsa key' },
    { line: 8, message: 'not a public key (starts with "garbage")' },
  ]);
  assert.deepEqual(parseAuthorizedKeys(''), { keys: [], problems: [] });
});

test('isAuthorized compares the key blob only', () => {
  const { keys } = parseAuthorizedKeys(`ssh-ed25519 ${ED} a\n`);
  assert.equal(isAuthorized(Buffer.from(ED, 'base64'), keys), true);
  assert.equal(isAuthorized(Buffer.from(ED2, 'base64'), keys), false);
  assert.equal(isAuthorized(Buffer.alloc(0), []), false);
  assert.ok('error' in parsePublicKeyLine(''));
});

test('tcpForwardDecision allows only the environment loopback', () => {
  const cases: [string, number, boolean][] = [
    ['localhost', 8080, true],
    ['LOCALHOST', 8080, true],
    ['127.0.0.1', 1, true],
    ['::1', 65535, true],
    ['[::1]', 22, true],
    ['127.0.0.2', 80, false],
    ['0.0.0.0', 80, false],
    ['10.255.255.1', 80, false],
    ['172.17.0.1', 2375, false],
    ['host.docker.internal', 80, false],
    ['localhost.evil.com', 80, false],
    ['', 80, false],
    ['localhost', 0, false],
    ['localhost', 70000, false],
  ];
  for (const [host, port, allow] of cases) {
    const d = tcpForwardDecision(host, port);
    assert.equal(d.allow, allow, `${host}:${port}`);
    if (!d.allow) assert.ok(d.reason.length > 0);
  }
  const refused = tcpForwardDecision('10.0.0.1', 80);
  assert.equal(
    !refused.allow && refused.reason,
    'forwarding to 10.0.0.1:80 is not allowed; only localhost inside the environment is reachable',
  );
});

test('gateway port: explicit wins and is the only candidate; otherwise last used, then any', () => {
  assert.deepEqual(portCandidates(2222, 4000), [2222]);
  assert.deepEqual(portCandidates(0, 4000), [0]);
  assert.deepEqual(portCandidates(undefined, 4000), [4000, 0]);
  assert.deepEqual(portCandidates(undefined, undefined), [0]);
  assert.equal(requestedPort(undefined, {}), undefined);
  assert.equal(requestedPort(undefined, { DEVRIG_SSH_PORT: ' 2200 ' }), 2200);
  assert.equal(requestedPort(3000, { DEVRIG_SSH_PORT: '2200' }), 3000);
  assert.throws(
    () => requestedPort(undefined, { DEVRIG_SSH_PORT: 'ssh' }),
    /DEVRIG_SSH_PORT must be a port number/,
  );
  assert.throws(() => requestedPort(undefined, { DEVRIG_SSH_PORT: '70000' }), /0-65535/);
  assert.equal(parseStoredPort('4000\n'), 4000);
  for (const bad of [undefined, '', 'x', '0', '-1', '65536', '1.5'])
    assert.equal(parseStoredPort(bad), undefined, bad);
});

function env(
  spec: Partial<Environment['spec']>,
  status: Partial<Environment['status']>,
  meta: Partial<Environment['metadata']> = {},
): Environment {
  return {
    kind: 'Environment',
    metadata: {
      name: 'web',
      uid: 'u',
      generation: 2,
      resourceVersion: '5',
      creationTimestamp: '2026-01-01T00:00:00Z',
      finalizers: [],
      labels: {},
      ...meta,
    },
    spec: { source: { folder: '/src' }, state: 'Running', ...spec },
    status: { ...EnvironmentStatus.parse({}), observedGeneration: 2, ...status },
  };
}

test('accessFor: who may log in, who waits, who starts', () => {
  const running = { phase: 'Running' as const, containerId: 'c1' };
  const cases: [string, Environment | undefined, string][] = [
    ['missing', undefined, 'refuse:no environment named "web"'],
    ['running', env({}, running), 'ready'],
    ['running without container', env({}, { phase: 'Running' }), 'wait'],
    ['building', env({}, { phase: 'Building' }), 'wait'],
    ['pending', env({}, { phase: 'Pending' }), 'wait'],
    ['stopped, wanted running', env({}, { phase: 'Stopped' }), 'wait'],
    ['stopped', env({ state: 'Stopped' }, { phase: 'Stopped' }), 'refuse:environment "web" is stopped'],
    [
      'stopping',
      env({ state: 'Stopped' }, { ...running, phase: 'Stopping' }),
      'refuse:environment "web" is stopped',
    ],
    [
      'stopped, start on connect',
      env({ state: 'Stopped', startOnConnect: true }, { phase: 'Stopped' }),
      'start',
    ],
    ['failed', env({}, { phase: 'Failed', lastError: 'boom' }), 'refuse:environment "web" failed: boom'],
    ['failed at an older spec', env({}, { phase: 'Failed', observedGeneration: 1 }), 'wait'],
    ['unreachable', env({}, { phase: 'Unreachable' }), 'refuse:environment "web" is unreachable'],
    ['deleting', env({}, running, { deletionTimestamp: 'x' }), 'refuse:environment "web" is being deleted'],
  ];
  for (const [what, e, expected] of cases) {
    const a = accessFor(e, 'web');
    const got = a.kind === 'refuse' ? `refuse:${a.reason}` : a.kind;
    assert.ok(got.startsWith(expected), `${what}: ${got}`);
  }
});

test('startOutcome waits for the current generation', () => {
  assert.equal(startOutcome(undefined), 'gone');
  assert.equal(startOutcome(env({}, { phase: 'Running', containerId: 'c' })), 'running');
  assert.equal(
    startOutcome(env({}, { phase: 'Running', containerId: 'c', observedGeneration: 1 })),
    'pending',
  );
  assert.equal(startOutcome(env({}, { phase: 'Failed' })), 'failed');
  assert.equal(startOutcome(env({}, { phase: 'Starting' })), 'pending');
  assert.equal(startOutcome(env({}, { phase: 'Running' }, { deletionTimestamp: 'x' })), 'gone');
});

test('sshConfigText lists environments with the gateway port and devrig files', () => {
  const paths = sshPaths('/home/u/.devrig');
  const text = sshConfigText(['web', 'api'], 2222, paths);
  assert.match(text, /^# Generated by devrig/);
  assert.ok(text.indexOf('Host devrig-api') < text.indexOf('Host devrig-web'));
  assert.match(text, /\n {2}Port 2222\n/);
  assert.match(text, /\n {2}IdentityFile "\/home\/u\/\.devrig\/ssh\/id_ed25519"\n/);
  assert.match(text, /\n {2}UserKnownHostsFile "\/home\/u\/\.devrig\/ssh\/known_hosts"\n/);
  assert.equal(paths.config, '/home/u/.devrig/ssh_config');
  assert.equal(sshConfigText([], 2222, paths).split('\n').filter(Boolean).length, 1);
});

test('knownHostsAction writes a missing pin, keeps the right one and never replaces another key', () => {
  const key = `ssh-ed25519 ${ED}`;
  const cases: [string | undefined, string][] = [
    [undefined, 'write'],
    ['', 'write'],
    ['# nothing\n', 'write'],
    [`devrig-gateway ${key}\n`, 'keep'],
    [`devrig-gateway ${key} comment\r\n`, 'keep'],
    [`devrig-gateway ssh-ed25519 ${ED2}\n`, 'conflict'],
    [`devrig-gateway ssh-ed25519 ${ED2}\ndevrig-gateway ${key}\n`, 'keep'],
  ];
  for (const [existing, expected] of cases) assert.equal(knownHostsAction(existing, key), expected, existing);
});
