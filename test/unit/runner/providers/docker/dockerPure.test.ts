import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { demux } from '../../../../../runner/providers/docker/demux';
import { ProgressFormatter } from '../../../../../runner/providers/docker/progress';
import { statsSample } from '../../../../../runner/providers/docker/stats';
import { normaliseImageRef } from '../../../../../runner/providers/docker/dockerImages';
import { registryOf } from '../../../../../runner/providers/docker/registryAuth';

const frame = (type: number, text: string) => {
  const body = Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = type;
  h.writeUInt32BE(body.length, 4);
  return Buffer.concat([h, body]);
};

test('demux splits stdout/stderr frames even when chunks split headers and bodies', async () => {
  const src = new PassThrough();
  const { stdout, stderr } = demux(src);
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const all = Buffer.concat([frame(1, 'hello '), frame(2, 'oops'), frame(1, 'world')]);
  for (let i = 0; i < all.length; i += 3) src.write(all.subarray(i, i + 3));
  src.end();
  await new Promise((r) => stdout.on('end', r));
  assert.equal(out, 'hello world');
  assert.equal(err, 'oops');
});

test('image refs get :latest only when they have no tag or digest', () => {
  assert.equal(normaliseImageRef('alpine'), 'alpine:latest');
  assert.equal(normaliseImageRef('alpine:3'), 'alpine:3');
  assert.equal(normaliseImageRef('localhost:5000/x'), 'localhost:5000/x:latest');
  assert.equal(normaliseImageRef('localhost:5000/x:1'), 'localhost:5000/x:1');
  assert.equal(normaliseImageRef('x@sha256:abc'), 'x@sha256:abc');
});

test('registry of a reference, as the docker CLI reads it', () => {
  assert.equal(registryOf('node:20'), 'https://index.docker.io/v1/');
  assert.equal(registryOf('library/node'), 'https://index.docker.io/v1/');
  assert.equal(registryOf('ghcr.io/a/b:1'), 'ghcr.io');
  assert.equal(registryOf('localhost:5000/a'), 'localhost:5000');
});

test('pull progress is logged in quarter steps, not per chunk', () => {
  const f = new ProgressFormatter();
  const lines = [
    ...f.format({ status: 'Pulling from library/node', id: 'latest' }),
    ...f.format({ status: 'Downloading', id: 'l1', progressDetail: { current: 10, total: 100 } }),
    ...f.format({ status: 'Downloading', id: 'l1', progressDetail: { current: 20, total: 100 } }),
    ...f.format({ status: 'Downloading', id: 'l1', progressDetail: { current: 60, total: 100 } }),
    ...f.format({ status: 'Pull complete', id: 'l1' }),
    ...f.format({ stream: 'Step 1/2 : FROM x\n ---> abc\n' }),
    ...f.format({ error: 'boom', errorDetail: { message: 'boom detail' } }),
  ];
  assert.deepEqual(lines, [
    'latest: Pulling from library/node',
    'l1: Downloading 0% of 100 B',
    'l1: Downloading 50% of 100 B',
    'l1: Pull complete',
    'Step 1/2 : FROM x',
    ' ---> abc',
    'error: boom detail',
  ]);
});

test('stats: CPU percent like docker stats, cache not counted as memory', () => {
  const s = statsSample({
    read: 't',
    cpu_stats: { cpu_usage: { total_usage: 300 }, system_cpu_usage: 2000, online_cpus: 2 },
    precpu_stats: { cpu_usage: { total_usage: 100 }, system_cpu_usage: 1000 },
    memory_stats: { usage: 1000, limit: 5000, stats: { inactive_file: 200 } },
    pids_stats: { current: 7 },
  });
  assert.deepEqual(s, { time: 't', cpuPercent: 40, memoryBytes: 800, memoryLimitBytes: 5000, pids: 7 });
});
