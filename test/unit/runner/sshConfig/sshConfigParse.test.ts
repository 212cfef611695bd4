import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseSshConfig,
  quoteSshArg,
  quoteSshPath,
  splitArgs,
} from '../../../../runner/sshConfig/sshConfigParse';

test('parseSshConfig classifies lines and lower-cases keywords', () => {
  const text = [
    '# comment',
    '',
    '   ',
    'Include ~/.ssh/config.d/*',
    'HOST  a  b',
    'Match host x exec "test -f /tmp/x"',
    '  ProxyJump bastion',
    '\tUser=me',
    '  Port = 2222',
    '  IdentityFile "/a b/c" # trailing comment',
    '  SetEnv A=\'x y\' B=\\"q\\"',
    '  #indented comment',
    '=orphan',
  ].join('\n');
  const lines = parseSshConfig(text);
  assert.deepEqual(
    lines.map((l) => [l.line, l.kind, l.keyword, l.args]),
    [
      [1, 'comment', '', []],
      [2, 'blank', '', []],
      [3, 'blank', '', []],
      [4, 'include', 'include', ['~/.ssh/config.d/*']],
      [5, 'host', 'host', ['a', 'b']],
      [6, 'match', 'match', ['host', 'x', 'exec', 'test -f /tmp/x']],
      [7, 'option', 'proxyjump', ['bastion']],
      [8, 'option', 'user', ['me']],
      [9, 'option', 'port', ['2222']],
      [10, 'option', 'identityfile', ['/a b/c']],
      [11, 'option', 'setenv', ['A=x y', 'B="q"']],
      [12, 'comment', '', []],
      [13, 'option', '', ['=orphan']],
    ],
  );
});

test('parseSshConfig is lossless for every line-ending style', () => {
  for (const text of [
    '',
    'a',
    'a\n',
    'a\r\nb\r\n',
    'a\r\nb\nc',
    '\n\n',
    '\uFEFFHost x\n',
    'Host x\r',
    'x\r\r\n',
  ]) {
    const lines = parseSshConfig(text);
    assert.equal(lines.map((l) => l.text + l.eol).join(''), text, JSON.stringify(text));
  }
  assert.deepEqual(
    parseSshConfig('a\r\nb\nc').map((l) => [l.text, l.eol]),
    [
      ['a', '\r\n'],
      ['b', '\n'],
      ['c', ''],
    ],
  );
  assert.equal(parseSshConfig('\uFEFFHost x\n')[0]?.keyword, 'host');
});

test('splitArgs follows OpenSSH argv_split', () => {
  const cases: [string, string[]][] = [
    ['a b\tc', ['a', 'b', 'c']],
    ['"a b" c', ['a b', 'c']],
    ['\'a "b"\' c', ['a "b"', 'c']],
    ['a\\ b', ['a b']],
    ['"a\\"b"', ['a"b']],
    ['C:\\Users\\me', ['C:\\Users\\me']],
    ['x # comment', ['x']],
    ['x#y', ['x#y']],
    ['"unterminated x', ['unterminated x']],
    ['', []],
  ];
  for (const [input, expected] of cases) assert.deepEqual(splitArgs(input), expected, input);
});

test('quoteSshArg round-trips through splitArgs and leaves Windows paths readable', () => {
  for (const value of [
    '/a/b',
    '/a b/c',
    'C:\\Users\\me\\.devrig\\config',
    'a"b',
    'ends\\',
    'x\\\\y',
    "it's",
  ]) {
    assert.deepEqual(splitArgs(quoteSshArg(value)), [value], value);
  }
  assert.equal(quoteSshArg('/home/u/my dir/x'), '"/home/u/my dir/x"');
  assert.equal(quoteSshArg('C:\\Users\\me\\x'), '"C:\\Users\\me\\x"');
  assert.equal(quoteSshPath('/tmp/50%/id'), '"/tmp/50%%/id"');
  assert.throws(() => quoteSshArg('a\nb'), /line breaks/);
});
