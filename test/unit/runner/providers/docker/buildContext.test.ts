import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildInputsHash, FileHashCache } from '../../../../../runner/providers/docker/buildContext';
import { TimedMemo } from '../../../../../runner/reconcile/environment/timedMemo';
import { removeProjects, tempDir } from '../../../../helpers/project';

after(removeProjects);

function context(files: Record<string, string>) {
  const dir = tempDir('devrig-ctx-');
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return { context: dir, dockerfile: join(dir, 'Dockerfile'), args: {} };
}

test('file hashes kept for a build context are those of its latest walk only', async () => {
  const cache = new FileHashCache();
  const inputs = context({ Dockerfile: 'FROM x\n', 'a.txt': 'a', 'src/b.txt': 'b', 'src/c.txt': 'c' });
  const first = await buildInputsHash(inputs, cache);
  assert.equal(cache.size, 4);
  rmSync(join(inputs.context, 'src'), { recursive: true });
  const second = await buildInputsHash(inputs, cache);
  assert.notEqual(second, first);
  assert.equal(cache.size, 2, 'the deleted files are forgotten');
  writeFileSync(join(inputs.context, '.dockerignore'), 'a.txt\n');
  await buildInputsHash(inputs, cache);
  assert.equal(cache.size, 2, '.dockerignore in, a.txt (now ignored) out');
});

test('the contexts hashed longest ago are dropped past the limit', async () => {
  const cache = new FileHashCache(2);
  const contexts = [1, 2, 3].map((n) => context({ Dockerfile: `FROM x${n}\n`, 'f.txt': String(n) }));
  for (const c of contexts) await buildInputsHash(c, cache);
  assert.equal(cache.size, 4, 'two contexts of two files');
  // Hashing the same inputs again gives the same hash, cached or not.
  assert.equal(
    await buildInputsHash(contexts[0]!, cache),
    await buildInputsHash(contexts[0]!, new FileHashCache()),
  );
});

test('TimedMemo: reused while young and from the same inputs; recomputed when asked for a fresh one', async () => {
  let now = 1_000;
  const memo = new TimedMemo<string>(() => now);
  let computed = 0;
  const compute = async () => `v${++computed}`;
  assert.equal(await memo.get('env', 'in1', 60_000, compute), 'v1');
  now += 59_000;
  assert.equal(await memo.get('env', 'in1', 60_000, compute), 'v1', 'a resync within the window reuses it');
  assert.equal(await memo.get('env', 'in1', 0, compute), 'v2', 'before creating a container: recomputed');
  assert.equal(await memo.get('env', 'in2', 60_000, compute), 'v3', 'other build inputs: recomputed');
  now += 60_000;
  assert.equal(await memo.get('env', 'in2', 60_000, compute), 'v4', 'too old: recomputed');
  assert.equal(await memo.get('other', 'in2', 60_000, compute), 'v5', 'per key');
  memo.forget('env');
  assert.equal(await memo.get('env', 'in2', 60_000, compute), 'v6');
});
