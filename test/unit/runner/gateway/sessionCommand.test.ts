import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  acceptsClientEnv,
  exitReport,
  normalizeSignal,
  sessionArgv,
  sessionEnv,
  sftpServerCommand,
} from '../../../../runner/gateway/sessionCommand';
import { loginShellCommand, shellCommand } from '../../../../runner/sessions/loginShell';

test('sessionArgv: shell, command and sftp, with the PTY size applied before the program starts', () => {
  assert.deepEqual(sessionArgv({ kind: 'shell' }, undefined), loginShellCommand());
  assert.deepEqual(sessionArgv({ kind: 'exec', command: 'echo $PWD' }, undefined), shellCommand('echo $PWD'));
  assert.deepEqual(sessionArgv({ kind: 'sftp' }, undefined), sftpServerCommand());
  const withPty = sessionArgv({ kind: 'exec', command: 'stty size' }, { term: 'xterm', cols: 100, rows: 30 });
  assert.deepEqual(withPty.slice(3, 6), ['devrig-pty', '30', '100']);
  assert.deepEqual(withPty.slice(6), shellCommand('stty size'));
  // A 0x0 PTY (ssh -tt without a terminal) leaves the size alone.
  assert.deepEqual(sessionArgv({ kind: 'shell' }, { term: 'xterm', cols: 0, rows: 0 }), loginShellCommand());
});

test('the PTY wrapper runs the program even where stty fails', () => {
  const [sh, c, script, , ...rest] = sessionArgv(
    { kind: 'exec', command: 'x' },
    { term: 't', cols: 80, rows: 24 },
  );
  const r = spawnSync(sh!, [c!, script!, 'devrig-pty', ...rest.slice(0, 2), 'echo', 'ran'], {
    encoding: 'utf8',
  });
  assert.equal(r.stdout, 'ran\n', 'stty failing without a terminal does not stop the program');
});

test('client env requests: no devrig or SSH_ variables, valid names only', () => {
  const cases: [string, string, boolean][] = [
    ['LANG', 'C.UTF-8', true],
    ['LC_ALL', 'C', true],
    ['MY_VAR1', '', true],
    ['_X', 'y', true],
    ['DEVRIG_EXEC_ID', 'x', false],
    ['SSH_AUTH_SOCK', '/tmp/x', false],
    ['1ABC', 'x', false],
    ['A-B', 'x', false],
    ['', 'x', false],
    ['A', 'nul\0byte', false],
  ];
  for (const [name, value, ok] of cases) assert.equal(acceptsClientEnv(name, value), ok, name);
});

test('sessionEnv: environment wins over the client; TERM from the PTY; agent socket; SSH_CONNECTION', () => {
  const env = sessionEnv({
    client: { LANG: 'de_DE.UTF-8', EDITOR: 'vi', TERM: 'client-term' },
    environment: { EDITOR: 'code --wait', FROM_CONFIG: 'yes' },
    pty: { term: 'xterm-kitty', cols: 80, rows: 24 },
    agentSocket: '/tmp/devrig-agent-x/agent.sock',
    connection: { clientIp: '127.0.0.1', clientPort: 50000, serverPort: 2222 },
  });
  assert.deepEqual(env, {
    LANG: 'de_DE.UTF-8',
    EDITOR: 'code --wait',
    FROM_CONFIG: 'yes',
    TERM: 'xterm-kitty',
    SSH_AUTH_SOCK: '/tmp/devrig-agent-x/agent.sock',
    SSH_CONNECTION: '127.0.0.1 50000 127.0.0.1 2222',
    SSH_CLIENT: '127.0.0.1 50000 2222',
  });
  const plain = sessionEnv({
    client: {},
    environment: {},
    connection: { clientIp: '127.0.0.1', clientPort: 1, serverPort: 2 },
  });
  assert.equal(plain.TERM, undefined);
  assert.equal(plain.SSH_AUTH_SOCK, undefined);
});

test('normalizeSignal accepts RFC 4254 names with or without SIG', () => {
  const cases: [string, string | undefined][] = [
    ['INT', 'INT'],
    ['SIGTERM', 'TERM'],
    ['hup', 'HUP'],
    ['USR2', 'USR2'],
    ['WINCH', undefined],
    ['STOP', undefined],
    ['', undefined],
    ['INT; rm -rf /', undefined],
  ];
  for (const [name, expected] of cases) assert.equal(normalizeSignal(name), expected, name);
});

test('exitReport: exit-signal only for a signal the client sent', () => {
  const cases: [number | null, string[], ReturnType<typeof exitReport>][] = [
    [0, [], { status: 0 }],
    [7, [], { status: 7 }],
    [130, [], { status: 130 }],
    [130, ['INT'], { signal: 'INT' }],
    [143, ['INT', 'TERM'], { signal: 'TERM' }],
    [1, ['INT'], { status: 1 }],
    [null, [], undefined],
  ];
  for (const [code, sent, expected] of cases)
    assert.deepEqual(exitReport(code, sent), expected, `${code} ${sent}`);
});
