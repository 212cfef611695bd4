import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_CONFIG_DEPTH, MAX_LISTED_ISSUES } from '../../../../runner/api/limits';
import {
  ConfigError,
  parseDevcontainerObject,
  parseDevcontainerText,
  resolveDevcontainer,
} from '../../../../runner/devcontainer';
import { parseDevcontainerTextCached } from '../../../../runner/devcontainer/parse';
import { configParserThread } from '../../../../runner/devcontainer/parseThread';

const FILE = '/x/.devcontainer/devcontainer.json';

function rejection(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the config to be rejected');
}

/** `{"image": …, "k000000": 0, …}`: one unknown key per line, from line 3 on. */
function manyUnknownKeys(count: number): string {
  const lines = ['{', '  "image": "x",'];
  for (let i = 0; i < count; i++) lines.push(`  "k${String(i).padStart(6, '0')}": ${i},`);
  lines.push('  "name": "many"', '}');
  return lines.join('\n');
}

test('200k unknown keys: a screenful of warnings with positions, the rest counted, the config read', () => {
  const { config, warnings } = parseDevcontainerText(manyUnknownKeys(200_000), FILE);
  assert.equal(config.image, 'x');
  assert.equal(config.name, 'many');
  assert.equal(warnings.length, MAX_LISTED_ISSUES + 1);
  assert.deepEqual(warnings[0], {
    property: 'k000000',
    file: FILE,
    line: 3,
    column: 3,
    message: 'unknown property "k000000" was ignored',
  });
  assert.deepEqual(warnings[MAX_LISTED_ISSUES], {
    property: `k${String(MAX_LISTED_ISSUES).padStart(6, '0')}`,
    file: FILE,
    line: 3 + MAX_LISTED_ISSUES,
    column: 3,
    message: `${200_000 - MAX_LISTED_ISSUES} more unknown properties were ignored`,
  });
  // The keys nobody reads are not part of the result.
  assert.equal(Object.keys(config).length, 2);
});

test('every problem of a wrong config is located, a screenful listed and the rest counted', () => {
  const ports = Array.from({ length: 100 }, () => 'true').join(',\n');
  const error = rejection(() =>
    parseDevcontainerText(`{\n"image": "x",\n"forwardPorts": [\n${ports}\n]}`, FILE),
  );
  assert.equal(error.line, 4);
  const lines = error.detail.split('\n');
  assert.equal(lines.length, MAX_LISTED_ISSUES + 1);
  assert.match(lines[1]!, /devcontainer\.json:5:1: "forwardPorts\[1\]" must be/);
  assert.equal(lines[MAX_LISTED_ISSUES], `… and ${100 - MAX_LISTED_ISSUES} more problems`);
});

test('nesting 20k deep: a clear error at the place it gets too deep, no stack overflow', () => {
  const depth = 20_000;
  for (const [name, text] of [
    ['a read property', `{\n  "customizations": ${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}\n}`],
    ['an unknown property', `{\n  "image": "x",\n  "junk": ${'['.repeat(depth)}${']'.repeat(depth)}\n}`],
  ] as const) {
    const error = rejection(() => parseDevcontainerText(text, FILE));
    assert.equal(error.code, 'Syntax', name);
    assert.equal(error.line, name === 'a read property' ? 2 : 3, name);
    assert.ok(error.column! > 10, name);
    assert.match(
      error.message,
      new RegExp(`devcontainer\\.json:\\d+:\\d+: .*nested more than ${MAX_CONFIG_DEPTH} deep`),
    );
    assert.doesNotMatch(error.message, /call stack/);
  }
  // As deep as allowed is fine.
  const ok = `{"image": "x", "settings": ${'{"a":'.repeat(MAX_CONFIG_DEPTH - 1)}1${'}'.repeat(MAX_CONFIG_DEPTH - 1)}}`;
  assert.equal(parseDevcontainerText(ok, FILE).config.image, 'x');
});

test('an inline config nested too deep is refused naming the path', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 20_000; i++) deep = { a: deep };
  const error = rejection(() => parseDevcontainerObject({ image: 'x', settings: deep }, '(inline)'));
  assert.match(
    error.message,
    /^\(inline\): "settings\.a\.a\.a.*" is nested more than 64 objects or arrays deep/,
  );
});

test('a config over the size limit is refused before it is parsed', async () => {
  const big = `{"image": "x", "pad": "${'x'.repeat(9 * 1024 * 1024)}"}`;
  const error = rejection(() => parseDevcontainerText(big, FILE));
  assert.match(error.message, /devcontainer\.json: the file is larger than 8 MiB/);
  const folder = mkdtempSync(join(tmpdir(), 'devrig-limits-'));
  try {
    writeFileSync(join(folder, '.devcontainer.json'), big);
    await assert.rejects(
      resolveDevcontainer({ folder, localEnv: {}, devcontainerId: 'x' }),
      (e) =>
        e instanceof ConfigError &&
        /\.devcontainer\.json: the file is larger than 8 MiB \(\d+ bytes\)/.test(e.message),
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('__proto__, constructor and keys with control characters give sane warnings', () => {
  const { config, warnings } = parseDevcontainerText(
    '{"image": "x", "__proto__": {"polluted": true}, "constructor": 1, "a\\nb": 2}',
    FILE,
  );
  assert.deepEqual(
    warnings.map((w) => w.message),
    [
      'unknown property "__proto__" was ignored',
      'unknown property "constructor" was ignored',
      'unknown property "a\\nb" was ignored',
    ],
  );
  assert.equal(Object.getPrototypeOf(config), Object.prototype);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  const inline = parseDevcontainerObject(JSON.parse('{"image": "x", "__proto__": 1}'), '(inline)');
  assert.deepEqual(
    inline.warnings.map((w) => w.message),
    ['unknown property "__proto__" was ignored'],
  );
});

test('a __proto__ key inside a read property changes no prototype but its own', () => {
  const { config } = parseDevcontainerText(
    '{"image": "x", "settings": {"__proto__": {"polluted": true}}, "containerEnv": {"__proto__": "v"}}',
    FILE,
  );
  assert.equal(config.image, 'x');
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(Object.getPrototypeOf(config.containerEnv), Object.prototype);
});

test('an unchanged file is parsed once; a changed one again', async () => {
  const text = manyUnknownKeys(10);
  const first = await parseDevcontainerTextCached(text, FILE);
  assert.equal(await parseDevcontainerTextCached(text, FILE), first);
  assert.notEqual(await parseDevcontainerTextCached(text + ' ', FILE), first);
  // The same text in another file has its own file name in messages.
  const other = await parseDevcontainerTextCached(text, '/y/devcontainer.json');
  assert.equal(other.warnings[0]!.file, '/y/devcontainer.json');
  // Errors are remembered too, and thrown each time.
  const bad = '{"image": 1}';
  const e1 = await parseDevcontainerTextCached(bad, FILE).catch((e: unknown) => e);
  assert.ok(e1 instanceof ConfigError);
  assert.equal(await parseDevcontainerTextCached(bad, FILE).catch((e: unknown) => e), e1);
});

test('a large config parsed on a worker thread comes back the same, errors as ConfigErrors', async () => {
  // The runner's thread runs its bundle; this one the same modules through tsx.
  const worker = join(__dirname, '../../../helpers/configParserWorker.cjs');
  const parse = configParserThread(worker, 100);
  const text = manyUnknownKeys(5000);
  const there = await parse(text, FILE);
  const here = parseDevcontainerText(text, FILE);
  assert.deepEqual(there.config, here.config);
  assert.deepEqual(there.warnings, here.warnings);
  assert.deepEqual(there.sourceMap.keyAt(['name']), here.sourceMap.keyAt(['name']));
  const deep = `{"image": "x", "settings": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
  const error = await parse(deep, FILE).catch((e: unknown) => e);
  assert.ok(error instanceof ConfigError);
  assert.equal(error.message, rejection(() => parseDevcontainerText(deep, FILE)).message);
});
