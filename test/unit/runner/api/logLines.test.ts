import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitStamp, stampLines, stripStamps } from '../../../../runner/api/logLines';

const now = new Date('2024-05-01T12:03:04.567Z');

test('every line is stamped; a trailing newline is added once', () => {
  assert.equal(stampLines('a\nb', now), '2024-05-01T12:03:04.567Z a\n2024-05-01T12:03:04.567Z b\n');
  assert.equal(stampLines('a\n', now), '2024-05-01T12:03:04.567Z a\n');
  assert.equal(stampLines('', now), '2024-05-01T12:03:04.567Z \n');
});

test('stripping gives back exactly what was logged; unstamped (older) lines stay as they are', () => {
  const text = 'first\n  indented\n2023-01-01T00:00:00.000Z a line that starts with a time\n';
  assert.equal(stripStamps(stampLines(text, now)), text);
  assert.equal(stripStamps('no stamp here\n'), 'no stamp here\n');
});

test('splitStamp: the time and the text of one line', () => {
  assert.deepEqual(splitStamp('2024-05-01T12:03:04.567Z [image] Step 1/2'), {
    time: '2024-05-01T12:03:04.567Z',
    text: '[image] Step 1/2',
  });
  assert.deepEqual(splitStamp('plain'), { text: 'plain' });
});
