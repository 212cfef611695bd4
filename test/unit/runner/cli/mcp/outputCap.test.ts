import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputCap } from '../../../../../runner/cli/mcp/outputCap';

const feed = (cap: OutputCap, text: string, chunk = 7) => {
  const b = Buffer.from(text);
  for (let i = 0; i < b.length; i += chunk) cap.write(b.subarray(i, i + chunk));
  return cap;
};

test('within the budget: everything, unchanged, no note', () => {
  const cap = feed(new OutputCap(100), 'hello\nworld\n');
  assert.equal(cap.truncated, false);
  assert.equal(cap.text(), 'hello\nworld\n');
  assert.equal(feed(new OutputCap(12), 'hello\nworld\n').text(), 'hello\nworld\n');
});

test('over it: the first and last halves, and a note saying how much was cut', () => {
  const lines = Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n') + '\n';
  const cap = feed(new OutputCap(40), lines, 13);
  assert.equal(cap.truncated, true);
  assert.equal(cap.total, Buffer.byteLength(lines));
  assert.equal(cap.cutBytes, cap.total - 40);
  const text = cap.text('stdout');
  assert.ok(text.startsWith(lines.slice(0, 20)));
  assert.ok(text.endsWith(lines.slice(-20)));
  assert.match(
    text,
    /\n\[devrig: stdout cut: 8890 bytes written, 8850 left out here; the first 20 and the last 20 bytes are shown\]\n/,
  );
});

test('a cut never splits a UTF-8 character', () => {
  const text = 'é'.repeat(50) + '€'.repeat(50);
  for (const max of [9, 10, 11, 12, 13]) {
    const out = feed(new OutputCap(max), text, 5).text();
    assert.ok(!out.includes('\uFFFD'), `max ${max}: ${out}`);
    assert.match(out, /^é*\n\[devrig: output cut: .*\]\n€*$/);
  }
});

test('a budget of 1 byte still says what happened', () => {
  const out = feed(new OutputCap(1), 'abcdef').text();
  assert.match(out, /^a\n\[devrig: output cut: 6 bytes written, 5 left out here/);
});
