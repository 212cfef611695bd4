import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyDevrigInclude,
  INCLUDE_MARKER,
  sshConfigWarnings,
  sshIncludeLine,
} from '../../../../runner/sshConfig/sshConfigInclude';

const P = '/home/u/.local/share/devrig/ssh_config';
const header = (eol = '\n', path = P) => `${INCLUDE_MARKER}${eol}Include "${path}"${eol}`;

interface Case {
  name: string;
  input: string | undefined;
  /** The input without devrig's old lines: the result must be exactly header + rest. */
  rest: string;
  eol?: string;
  /** `[line, message after "~/.ssh/config:<line>: "]` of every warning. */
  warnings?: [number, string][];
}

const cases: Case[] = [
  { name: 'missing file', input: undefined, rest: '' },
  { name: 'empty file', input: '', rest: '' },
  { name: 'only blank lines', input: '\n\n', rest: '\n\n' },
  {
    name: 'comments preserved',
    input: '# my ssh config\n\n# work\nHost work\n  HostName work.example.com # inline\n',
    rest: '# my ssh config\n\n# work\nHost work\n  HostName work.example.com # inline\n',
  },
  {
    name: 'CRLF file keeps CRLF',
    input: 'Host a\r\n  User x\r\n',
    rest: 'Host a\r\n  User x\r\n',
    eol: '\r\n',
  },
  {
    name: 'CRLF file with an old devrig include',
    input: 'Host a\r\n  User x\r\n# Added by devrig\r\nInclude "/old/devrig/ssh_config"\r\n',
    rest: 'Host a\r\n  User x\r\n',
    eol: '\r\n',
  },
  { name: 'no trailing newline', input: 'Host a\n  User x', rest: 'Host a\n  User x' },
  { name: 'single line without newline', input: 'User x', rest: 'User x', warnings: [] },
  {
    name: 'Host * first, setting ProxyCommand',
    input: 'Host *\n  ProxyCommand nc -X connect -x proxy:3128 %h %p\n  User me\n  ServerAliveInterval 10\n',
    rest: 'Host *\n  ProxyCommand nc -X connect -x proxy:3128 %h %p\n  User me\n  ServerAliveInterval 10\n',
    warnings: [[4, '"Host *" sets ProxyCommand, which also applies to devrig-* hosts']],
  },
  {
    name: 'Match all',
    input: 'Host a\n  User x\nMatch all\n  ProxyJump jump\n',
    rest: 'Host a\n  User x\nMatch all\n  ProxyJump jump\n',
    warnings: [
      [5, '"Match all" also applies to devrig-* hosts'],
      [6, '"Match all" sets ProxyJump, which also applies to devrig-* hosts'],
    ],
  },
  {
    name: 'Match exec, and a Match whose host cannot be devrig',
    input:
      'Match exec "test -f ~/.vpn"\n  ControlMaster auto\nMatch host *.corp exec "true"\n  ProxyJump j\n',
    rest: 'Match exec "test -f ~/.vpn"\n  ControlMaster auto\nMatch host *.corp exec "true"\n  ProxyJump j\n',
    warnings: [
      [3, '"Match exec test -f ~/.vpn" also runs its command for devrig-* hosts'],
      [4, '"Match exec test -f ~/.vpn" sets ControlMaster, which also applies to devrig-* hosts'],
    ],
  },
  {
    name: 'user Includes stay where they are',
    input: 'Include ~/.orbstack/ssh/config\nInclude config.d/*\n\nHost a\n  Include "~/.ssh/a extra"\n',
    rest: 'Include ~/.orbstack/ssh/config\nInclude config.d/*\n\nHost a\n  Include "~/.ssh/a extra"\n',
  },
  {
    name: 'old devrig include (marker, other path) at the bottom is replaced',
    input: `Host a\n  User x\n\n# Added by devrig: old wording\nInclude "/opt/old place/devrig.conf"\n`,
    rest: 'Host a\n  User x\n\n',
  },
  {
    name: 'old devrig include without a marker, same file name under a devrig directory',
    input: 'Include ~/.devrig/ssh_config\nHost a\n  User x\n',
    rest: 'Host a\n  User x\n',
  },
  {
    name: 'our include without marker inside a Host block is moved to the top',
    input: `Host a\n  User x\n  Include ${P}\n`,
    rest: 'Host a\n  User x\n',
  },
  {
    name: 'our include below a Host block (not effective) is moved',
    input: `Host a\n  User x\n${INCLUDE_MARKER}\nInclude "${P}"\n`,
    rest: 'Host a\n  User x\n',
  },
  {
    name: 'our include at the top without its marker gets one',
    input: `Include "${P}"\nHost a\n`,
    rest: 'Host a\n',
  },
  {
    name: 'our include after a top-level option is moved above it',
    input: `User me\n${INCLUDE_MARKER}\nInclude "${P}"\n`,
    rest: 'User me\n',
  },
  {
    name: 'stray marker without include is removed; unrelated includes kept',
    input: '# Added by devrig: something\nHost a\nInclude ~/.ssh/devrig-notes.conf\n',
    rest: 'Host a\nInclude ~/.ssh/devrig-notes.conf\n',
  },
  {
    name: 'tabs and = syntax',
    input: 'Host\t=\t*\n\tProxyJump=bastion\n\tRemoteCommand = tmux\nHost=*.example.com\n\tProxyJump=x\n',
    rest: 'Host\t=\t*\n\tProxyJump=bastion\n\tRemoteCommand = tmux\nHost=*.example.com\n\tProxyJump=x\n',
    warnings: [
      [4, '"Host *" sets ProxyJump, which also applies to devrig-* hosts'],
      [5, '"Host *" sets RemoteCommand, which also applies to devrig-* hosts'],
    ],
  },
  {
    name: 'top-level options after our include',
    input: 'ProxyJump bastion\nUser me\n',
    rest: 'ProxyJump bastion\nUser me\n',
    warnings: [[3, 'ProxyJump outside any Host or Match block also applies to devrig-* hosts']],
  },
  {
    name: 'byte-order mark stays first',
    input: '\uFEFFHost a\n',
    rest: 'Host a\n',
  },
  {
    name: 'mixed line endings: the majority wins, the rest is untouched',
    input: 'Host a\r\n  User x\r\nHost b\n',
    rest: 'Host a\r\n  User x\r\nHost b\n',
    eol: '\r\n',
  },
];

for (const c of cases) {
  test(`applyDevrigInclude: ${c.name}`, () => {
    const r = applyDevrigInclude(c.input, P);
    const bom = c.input?.startsWith('\uFEFF') ? '\uFEFF' : '';
    assert.equal(r.text, bom + header(c.eol) + c.rest);
    assert.equal(r.changed, true);
    if (c.warnings) {
      assert.deepEqual(
        r.warnings.map((w) => [w.line, w.message]),
        c.warnings.map(([line, message]) => [line, `~/.ssh/config:${line}: ${message}`]),
      );
    }
    // Idempotent.
    const again = applyDevrigInclude(r.text, P);
    assert.equal(again.changed, false);
    assert.equal(again.text, r.text);
    assert.deepEqual(again.warnings, r.warnings);
    // Exactly one Include for devrig.
    assert.equal(r.text.split(sshIncludeLine(P)).length - 1, 1);
  });
}

test('applyDevrigInclude: already correct files are returned unchanged', () => {
  for (const text of [
    header(),
    header() + 'Host a\n  User x',
    '# my header\n\n' + header() + 'Host a\n',
    header('\r\n') + 'Host a\r\n',
    // Same path written without quotes is equivalent.
    `${INCLUDE_MARKER}\nInclude ${P}\nHost a\n`,
  ]) {
    const r = applyDevrigInclude(text, P);
    assert.equal(r.changed, false, JSON.stringify(text));
    assert.equal(r.text, text);
  }
});

test('applyDevrigInclude: a changed devrig path replaces the old include', () => {
  const first = applyDevrigInclude('Host a\n', '/home/u/.devrig/ssh_config').text;
  const r = applyDevrigInclude(first, P);
  assert.equal(r.text, header() + 'Host a\n');
  assert.equal(r.changed, true);
});

test('applyDevrigInclude: Windows paths are written readably and recognised again', () => {
  const win = 'C:\\Users\\Jane Doe\\AppData\\Local\\devrig\\ssh_config';
  const r = applyDevrigInclude('Host a\r\n', win);
  assert.equal(r.text, `${INCLUDE_MARKER}\r\nInclude "${win}"\r\nHost a\r\n`);
  assert.equal(applyDevrigInclude(r.text, win).changed, false);
  // Forward slashes name the same file.
  assert.equal(applyDevrigInclude(r.text, win.replace(/\\/g, '/')).text.split('Include').length - 1, 1);
});

test('applyDevrigInclude requires an absolute path', () => {
  assert.throws(() => applyDevrigInclude('', 'devrig/ssh_config'), /must be absolute/);
  assert.throws(() => applyDevrigInclude('', '/a\nb'), /line breaks/);
});

test('applyDevrigInclude: displayPath names the file in warnings', () => {
  const r = applyDevrigInclude('Host *\n  ProxyJump j\n', P, { displayPath: '/home/u/.ssh/config' });
  assert.deepEqual(
    r.warnings.map((w) => [w.line, w.keyword, w.message]),
    [
      [
        4,
        'proxyjump',
        '/home/u/.ssh/config:4: "Host *" sets ProxyJump, which also applies to devrig-* hosts',
      ],
    ],
  );
});

test('sshConfigWarnings: which Host patterns reach devrig-* hosts', () => {
  const warns = (hostLine: string) => sshConfigWarnings(`${hostLine}\n  ProxyJump j\n`).length > 0;
  const cases: [string, boolean][] = [
    ['Host *', true],
    ['Host devrig-*', true],
    ['Host dev*', true],
    ['Host DEVRIG-API', true],
    ['Host devrig-api', true],
    ['Host devrig-?', true],
    ['Host *-web', true],
    ['Host a b *', true],
    ['Host *.example.com', false],
    ['Host devrig', false],
    ['Host devrig-', false],
    ['Host devrig-*-', false],
    ['Host gateway', false],
    ['Host devrig-API_', false],
    ['Host * !devrig-*', false],
    ['Host * !dev*', false],
    ['Host * !devrig-api', true],
    ['Host !* devrig-*', false],
    ['Match originalhost devrig-*', true],
    ['Match host devrig-*', true],
    ['Match host 127.0.0.1', true],
    ['Match host localhost,*.corp', false],
    ['Match host *.corp !host 127.0.0.1', false],
    ['Match user git', true],
    ['Match user git_*', false],
    ['Match localuser me', true],
    ['Match !host *.corp', true],
    ['Match canonical all', true],
  ];
  for (const [line, expected] of cases) assert.equal(warns(line), expected, line);
});

test('sshConfigWarnings: only options that devrig does not set and that can break connections', () => {
  const options = (body: string) =>
    sshConfigWarnings(`Host *\n${body}`).map((w) => /sets (\w+)/.exec(w.message)?.[1]);
  assert.deepEqual(
    options(
      [
        '  User me',
        '  Port 22',
        '  HostName x',
        '  IdentityFile ~/.ssh/id',
        '  StrictHostKeyChecking no',
        '  ForwardAgent yes',
        '  ProxyJump none',
        '  ProxyCommand none',
        '  ControlMaster no',
        '  PubkeyAuthentication yes',
        '  AddressFamily inet',
        '  PreferredAuthentications publickey,password',
        '  CanonicalizeHostname no',
      ].join('\n'),
    ),
    [],
  );
  assert.deepEqual(
    options(
      [
        '  ControlMaster auto',
        '  ControlPath ~/.ssh/cm-%r@%h:%p',
        '  CanonicalizeHostname yes',
        '  AddressFamily inet6',
        '  PubkeyAuthentication no',
        '  PreferredAuthentications password',
        '  LocalForward 8080 localhost:80',
        '  SessionType none',
      ].join('\n'),
    ),
    [
      'ControlMaster',
      'CanonicalizeHostname',
      'AddressFamily',
      'PubkeyAuthentication',
      'PreferredAuthentications',
      'LocalForward',
      'SessionType',
    ],
  );
});
