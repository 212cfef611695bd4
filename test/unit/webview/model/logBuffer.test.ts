import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanLine, LogBuffer, searchLines, splitMatches } from '../../../../webview/model/logBuffer';

test('cleanLine strips terminal escapes and keeps the last carriage-return state', () => {
  const cases: [string, string][] = [
    ['plain', 'plain'],
    ['\x1b[31mred\x1b[0m text', 'red text'],
    ['\x1b]0;title\x07after', 'after'],
    ['10%\r50%\r100%', '100%'],
    ['done\r', 'done'],
    ['bell\x07 and nul\x00', 'bell and nul'],
    ['tab\tkept', 'tab\tkept'],
    ['<script>alert(1)</script>', '<script>alert(1)</script>'],
  ];
  for (const [input, want] of cases) assert.equal(cleanLine(input), want, JSON.stringify(input));
});

test('LogBuffer joins chunks into lines, keeps the unfinished one, normalises CRLF', () => {
  const b = new LogBuffer();
  b.append('hel');
  assert.deepEqual(b.all(), ['hel']);
  b.append('lo\r\nwor');
  b.append('ld\n');
  assert.deepEqual(b.all(), ['hello', 'world']);
  assert.equal(b.received, 2);
  b.append('\n\n');
  assert.deepEqual(b.all(), ['hello', 'world', '', '']);
});

test('LogBuffer caps lines, counting what it dropped; reset starts over', () => {
  const b = new LogBuffer(3);
  b.append('1\n2\n3\n4\n5\n');
  assert.deepEqual(b.all(), ['3', '4', '5']);
  assert.equal(b.dropped, 2);
  assert.equal(b.received, 5);
  b.reset('a\nb');
  assert.deepEqual(b.all(), ['a', 'b']);
  assert.equal(b.dropped, 0);
  assert.equal(b.received, 1);
});

test('searchLines is case-insensitive, finds every occurrence and keeps line numbers', () => {
  const lines = ['Building image', 'step 1', 'postStart: hello', 'ERROR: image image'];
  assert.equal(searchLines(lines, '').length, 4);
  const m = searchLines(lines, 'image');
  assert.deepEqual(
    m.map((x) => [x.line, x.ranges]),
    [
      [1, [[9, 14]]],
      [
        4,
        [
          [7, 12],
          [13, 18],
        ],
      ],
    ],
  );
  assert.deepEqual(searchLines(lines, 'nothing'), []);
  assert.deepEqual(searchLines(['aaaa'], 'aa')[0]!.ranges, [
    [0, 2],
    [2, 4],
  ]);
});

test('splitMatches cuts text into plain and matched pieces', () => {
  assert.deepEqual(
    splitMatches('ERROR: image image', [
      [7, 12],
      [13, 18],
    ]),
    [
      { text: 'ERROR: ', match: false },
      { text: 'image', match: true },
      { text: ' ', match: false },
      { text: 'image', match: true },
    ],
  );
  assert.deepEqual(splitMatches('abc', []), [{ text: 'abc', match: false }]);
});
