// Bounded work and memory on hostile input (issue 18): automations.yaml, condition messages, log
// sources, runner.log lines, short secrets.
import { stripStamps } from '../../../../runner/api/logLines';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isApiError, Methods } from '../../../../runner/api';
import { clipText, MAX_CONDITION_MESSAGE, MAX_LISTED_ISSUES, tooDeep } from '../../../../runner/api/limits';
import {
  AutomationsError,
  loadAutomations,
  parseAutomationsFile,
} from '../../../../runner/automations/automationsFile';
import { findCycle, runOrder, unknownDependencies } from '../../../../runner/automations/taskGraph';
import { EnvLogs } from '../../../../runner/logs/envLogs';
import { setCondition } from '../../../../runner/api';
import { SecretStore } from '../../../../runner/secrets/secretStore';
import { logSafe, quoted } from '../../../../runner/util/logText';

function automationsError(text: string): AutomationsError {
  try {
    parseAutomationsFile(text, 'automations.yaml');
  } catch (e) {
    assert.ok(e instanceof AutomationsError, String(e));
    return e;
  }
  assert.fail('expected an AutomationsError');
}

test('automations.yaml nested 20k deep: a position and words, not "call stack"', () => {
  const e = automationsError(`tasks:\n  t:\n    command: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`);
  assert.match(e.message, /^automations\.yaml:3:\d+: nested more than 64 levels deep/);
  assert.doesNotMatch(e.message, /call stack/i);
  // Deep but within what the parser takes: refused by devrig's own limit, with where.
  const e2 = automationsError(`tasks:\n  t:\n    command: ${'['.repeat(100)}${']'.repeat(100)}\n`);
  assert.match(e2.message, /^automations\.yaml:3:\d+: tasks\.t\.command\[0\]\[0\].*…: nested more than 64/);
});

test('automations.yaml with 20k wrong tasks: a screenful of located problems, the rest counted', () => {
  let text = 'tasks:\n';
  for (let i = 0; i < 20_000; i++) text += `  t${i}: { command: 1 }\n`;
  const e = automationsError(text);
  assert.equal(e.issues.length, MAX_LISTED_ISSUES + 1);
  assert.match(e.issues[0]!.where, /^automations\.yaml:2:\d+$/);
  assert.equal(e.issues[MAX_LISTED_ISSUES]!.message, `… and ${20_000 - MAX_LISTED_ISSUES} more problems`);
});

test('automations.yaml over 1 MiB is refused before it is parsed', () => {
  const e = automationsError(`tasks:\n  t: { command: "${'x'.repeat(1024 * 1024)}" }\n`);
  assert.equal(
    e.message,
    'automations.yaml: the file is larger than 1024 KiB; devrig does not read automations files that big',
  );
});

test('unknown dependencies are listed a screenful at a time', () => {
  let text = 'tasks:\n';
  for (let i = 0; i < 1000; i++) text += `  t${i}: { command: x, dependsOn: [missing${i}] }\n`;
  assert.throws(
    () => loadAutomations({ fileText: text, file: 'automations.yaml' }),
    (e) => e instanceof AutomationsError && e.issues.length === MAX_LISTED_ISSUES + 1,
  );
});

test('task graphs: "constructor" is not a task unless defined; a chain of 100k tasks does not overflow', () => {
  const tasks = { a: { dependsOn: ['constructor', 'toString'] } };
  assert.deepEqual(unknownDependencies(tasks), [
    { task: 'a', dependency: 'constructor' },
    { task: 'a', dependency: 'toString' },
  ]);
  assert.deepEqual(runOrder(tasks, ['a', 'constructor']), ['a']);
  const chain: Record<string, { dependsOn: string[] }> = {};
  for (let i = 0; i < 100_000; i++) chain[`t${i}`] = { dependsOn: i > 0 ? [`t${i - 1}`] : [] };
  assert.equal(findCycle(chain), undefined);
  const order = runOrder(chain, ['t99999']);
  assert.equal(order.length, 100_000);
  assert.equal(order[0], 't0');
  chain['t0'] = { dependsOn: ['t99999'] };
  assert.equal(findCycle(chain)?.length, 100_001);
});

test('condition messages are cut to a bounded size, saying how much was left out', () => {
  const [c] = setCondition(
    [],
    { type: 'X', status: 'False', reason: 'R', message: 'm'.repeat(10_000_000) },
    1,
    new Date(),
  );
  assert.equal(c!.message.length, MAX_CONDITION_MESSAGE);
  assert.match(c!.message, /… \(\d+ more characters\)$/);
  assert.equal(clipText('short', 10), 'short');
});

test('tooDeep finds the first place past the limit without recursing', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.equal(tooDeep(deep, 64)?.length, 64);
  assert.equal(tooDeep({ a: [{ b: 1 }] }, 3), undefined);
  assert.deepEqual(tooDeep({ a: [{ b: {} }] }, 3), ['a', 0, 'b']);
});

test('logs: a source must name an automation; asking for 10k sources keeps a bounded set in memory', async () => {
  const params = Methods.logs.params;
  assert.equal(params.safeParse({ name: 'web', source: 'service:web' }).success, true);
  for (const source of ['../../etc/passwd', 'service:', 'x'.repeat(300), 'task:a/b']) {
    assert.equal(params.safeParse({ name: 'web', source }).success, false, source);
  }
  const dir = mkdtempSync(join(tmpdir(), 'devrig-logs-'));
  try {
    const logs = new EnvLogs({ dir });
    await logs.append('web', 'hello');
    for (let i = 0; i < 10_000; i++) assert.equal(await logs.read('web', undefined, `task:t${i}`), '');
    const kept = (logs as unknown as { files: Map<string, unknown> }).files.size;
    assert.ok(kept <= 256, `${kept} log files kept in memory`);
    // Reading asked-for sources creates nothing on disk, and the real log is intact.
    assert.deepEqual(readdirSync(dir), ['web.log']);
    // Lines are stored with the time they were logged at (logLines.ts).
    assert.equal(stripStamps(await logs.read('web')), 'hello\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runner.log: a message cannot start a line of its own or carry terminal controls', () => {
  const user = 'web\n2030-01-01T00:00:00.000Z api: forged line\r\x1b[2K';
  const line = logSafe(`ssh gateway: refused login as ${quoted(user)}: no such environment`);
  assert.equal(line.split('\n').length, 1);
  assert.ok(![...line].some((c) => c.charCodeAt(0) < 0x20), 'no control characters');
  assert.match(line, /refused login as "web\\n2030-01-01T00:00:00\.000Z api: forged line\\r\\u001b\[2K"/);
  // Even unquoted text: continuation lines are indented, so none looks like a record.
  const raw = logSafe('error: boom\n2030-01-01T00:00:00.000Z forged\r\nnext\x07');
  assert.deepEqual(raw.split('\n'), ['error: boom', '  2030-01-01T00:00:00.000Z forged', '  next\\u0007']);
});

test('secrets shorter than 4 characters are refused, and nothing stored changes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'devrig-secrets-'));
  try {
    const path = join(dir, 'secrets.json');
    const s = await SecretStore.open(path);
    await s.set('TOKEN', 'long-enough');
    const before = readFileSync(path, 'utf8');
    for (const value of ['a', 'on', 'abc']) {
      await assert.rejects(
        s.set('SHORT', value),
        (e) => isApiError(e, 'Invalid') && /at least 4 characters/.test(e.message),
      );
    }
    assert.equal(readFileSync(path, 'utf8'), before);
    assert.deepEqual(s.list(), [{ name: 'TOKEN' }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
