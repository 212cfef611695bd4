import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, testEnv } from '../helpers/runnerProcess';

// Node ≥ 22.1 keeps the cache itself (module.enableCompileCache); bin.ts writes its own before that.
const ownCache = !(Module as { enableCompileCache?: unknown }).enableCompileCache;

describe('how a devrig command starts: a code cache in the state folder, zod only when needed', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'devrig-state-'));
  const cacheDir = join(stateDir, 'cache');
  const env = { ...testEnv(), DEVRIG_STATE_DIR: stateDir };
  const caches = () => readdirSync(cacheDir).filter((f) => f.endsWith('.v8'));
  after(() => rmSync(stateDir, { recursive: true, force: true }));

  test('a command that reads a schema-checked file loads the schemas (the trace tells)', async () => {
    const r = await runCli(['config', 'get'], { ...env, DEVRIG_TRACE: '1' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /exit \(schemas loaded\)/);
  });

  if (!ownCache) {
    test("Node's own compile cache lands in the state folder", async () => {
      const r = await runCli(['config', 'get'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(readdirSync(cacheDir).length > 0);
    });
    return;
  }

  test('a command that succeeded leaves a private cache, used as it is the next time', async () => {
    const first = await runCli(['config', 'get'], env);
    assert.equal(first.code, 0, first.stderr);
    const [file] = caches();
    assert.match(file!, /^cli-[0-9a-f]{12}-config-v\d+.*\.v8$/);
    assert.equal(statSync(cacheDir).mode & 0o777, 0o700);
    assert.equal(statSync(join(cacheDir, file!)).mode & 0o777, 0o600);
    const written = statSync(join(cacheDir, file!)).mtimeMs;

    const second = await runCli(['config', 'get'], env);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, first.stdout);
    // Accepted by V8, so not written again.
    assert.equal(statSync(join(cacheDir, file!)).mtimeMs, written);
  });

  test('a failed command writes none', async () => {
    const before = caches();
    const r = await runCli(['no-such-command'], env);
    assert.equal(r.code, 2);
    assert.deepEqual(caches(), before);
  });

  test('a damaged cache is only a slower start: the command works and the cache is made again', async () => {
    const [file] = caches().filter((f) => /^cli-[0-9a-f]{12}-config-/.test(f));
    writeFileSync(join(cacheDir, file!), 'not a code cache');
    const r = await runCli(['config', 'get'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(statSync(join(cacheDir, file!)).size > 1000, 'rewritten');
  });
});
