import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { lines, LineSplitter, readLines } from '../../../../runner/util/lines';
import { runLogged } from '../../../../runner/util/runLogged';

test('lines split across chunks come out whole, CRLF too, and a UTF-8 character cut in two', () => {
  const s = new LineSplitter();
  const euro = Buffer.from('€'); // 3 bytes
  const out = [
    ...s.push('ab'),
    ...s.push('c\r'),
    ...s.push('\nd'),
    ...s.push(Buffer.concat([Buffer.from('x'), euro.subarray(0, 1)])),
    ...s.push(Buffer.concat([euro.subarray(1), Buffer.from('\n\nlast')])),
    ...s.end(),
  ];
  assert.deepEqual(out, ['abc', 'dx€', '', 'last']);
});

test('a lone CR ends a line only when asked (progress output), also across chunks', () => {
  const progress = new LineSplitter(true);
  assert.deepEqual(progress.push('10%\r20%\r'), ['10%']);
  assert.deepEqual(progress.push('\n30%\r'), ['20%']);
  assert.deepEqual(progress.push('40%\n'), ['30%', '40%']);
  assert.deepEqual(new LineSplitter().push('10%\r20%\n'), ['10%\r20%']);
});

test('lines() and readLines() feed from a stream, the unterminated last line at its end', async () => {
  const stream = new PassThrough();
  const got: string[] = [];
  lines(stream, (l) => got.push(l));
  stream.write('one\ntw');
  stream.write('o\nthree');
  stream.end();
  await new Promise((r) => stream.on('end', r));
  assert.deepEqual(got, ['one', 'two', 'three']);

  const read: string[] = [];
  for await (const l of readLines(Readable.from([Buffer.from('a\nb'), Buffer.from('c\n')]))) read.push(l);
  assert.deepEqual(read, ['a', 'bc']);
});

test('runLogged: output of both streams by line, blank lines left out, exit code, cwd and env', async () => {
  const got: string[] = [];
  const script =
    'printf "par"; printf "tial\\n\\n"; printf "err 1\\r" >&2; printf "err 2\\n" >&2; pwd; echo "$X"; exit 3';
  const code = await runLogged('/bin/sh', ['-c', script], { cwd: '/tmp', env: { X: 'from env' } }, (l) =>
    got.push(l),
  );
  assert.equal(code, 3);
  assert.deepEqual(
    got.filter((l) => l.startsWith('err')),
    ['err 1', 'err 2'],
  );
  assert.deepEqual(
    got.filter((l) => !l.startsWith('err')),
    ['partial', '/tmp', 'from env'],
  );
  await assert.rejects(
    runLogged('/no/such/program', [], {}, () => {}),
    /cannot run \/no\/such\/program/,
  );
});
