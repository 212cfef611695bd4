import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AutomationsError, loadAutomations } from '../../../runner/automations/automationsFile';
import { ConfigError, parseDevcontainerText } from '../../../runner/devcontainer';

/**
 * Seeded fuzzing of the two config parsers a repository feeds: mutated devcontainer.json and
 * automations.yaml files. Whatever the input, the parser answers with a config or with its own
 * error naming the file (and line:col where the problem has a place); never another exception.
 * The seed is printed; FUZZ_SEED=<n> replays a run, FUZZ_CASES=<n> runs more.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 16_2026);
const CASES = Number(process.env.FUZZ_CASES ?? 2000);

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof rng>;

const NOISE = [
  '{',
  '}',
  '[',
  ']',
  '"',
  ',',
  ':',
  '\n',
  '/',
  '*',
  '\\',
  ' ',
  '#',
  '-',
  '\u0000',
  '\u2028',
  '😀',
  'é',
  '\t',
];

/** Byte-level damage: delete, insert noise, duplicate or swap a slice. */
function mutateText(r: Rng, text: string): string {
  let t = text;
  for (let n = 1 + r.int(3); n > 0; n--) {
    const at = r.int(t.length + 1);
    switch (r.int(4)) {
      case 0:
        t = t.slice(0, at) + t.slice(at + 1 + r.int(8));
        break;
      case 1:
        t = t.slice(0, at) + r.pick(NOISE).repeat(1 + r.int(3)) + t.slice(at);
        break;
      case 2: {
        const len = r.int(40);
        t = t.slice(0, at) + t.slice(at, at + len) + t.slice(at);
        break;
      }
      default: {
        const other = r.int(t.length + 1);
        t = t.slice(0, Math.min(at, other)) + t.slice(Math.max(at, other));
      }
    }
  }
  return t;
}

/** A value of a random wrong (or right) type: huge strings, deep nesting, odd numbers. */
function randomValue(r: Rng, depth = 0): unknown {
  switch (r.int(depth > 2 ? 7 : 9)) {
    case 0:
      return r.int(100_000) - 50_000;
    case 1:
      return r.pick([NaN, 1e308, -0, 0.5, 65536, -1]);
    case 2:
      return 'x'.repeat(r.pick([0, 1, 300, 100_000]));
    case 3:
      return null;
    case 4:
      return r.next() < 0.5;
    case 5:
      return r.pick(['', 'ubuntu', '${localEnv:HOME}', '../../etc/passwd', 'a\nb', '\u0000']);
    case 6: {
      // Nested deeper than the parsers allow, or just deep.
      let v: unknown = 1;
      for (let i = r.pick([5, 70, 200]); i > 0; i--) v = r.next() < 0.5 ? [v] : { k: v };
      return v;
    }
    case 7:
      return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: r.int(4) }, (_, i) => [`k${i}`, randomValue(r, depth + 1)]),
      );
  }
}

/** A valid object with one field broken (its value replaced, a key added or removed). */
function mutateObject(
  r: Rng,
  value: Record<string, unknown>,
  keys: readonly string[],
): Record<string, unknown> {
  const out = structuredClone(value);
  const key = r.pick(keys);
  if (r.next() < 0.15) delete out[key];
  else out[key] = randomValue(r);
  return out;
}

const DEVCONTAINER = {
  name: 'fuzz',
  image: 'devrig-test-base:bookworm',
  forwardPorts: [3000, 'db:5432'],
  portsAttributes: { '3000': { label: 'web', onAutoForward: 'notify' } },
  containerEnv: { A: '1' },
  remoteEnv: { PATH: '${containerEnv:PATH}:/x' },
  remoteUser: 'vscode',
  mounts: ['source=vol,target=/data,type=volume'],
  runArgs: ['--cap-add=SYS_PTRACE'],
  postCreateCommand: 'npm ci',
  postStartCommand: ['echo', 'hi'],
  onCreateCommand: { a: 'x', b: ['y'] },
  features: { 'ghcr.io/devcontainers/features/node:1': { version: '20' } },
  customizations: { vscode: { extensions: ['dbaeumer.vscode-eslint'] } },
  hostRequirements: { cpus: 2, memory: '4gb' },
  workspaceFolder: '/workspaces/x',
  shutdownAction: 'none',
};
const DEVCONTAINER_KEYS = [
  ...Object.keys(DEVCONTAINER),
  'build',
  'dockerComposeFile',
  'service',
  'appPort',
  'overrideCommand',
  'privileged',
  'init',
  'capAdd',
  'securityOpt',
  'workspaceMount',
  'otherPortsAttributes',
  'updateRemoteUserUID',
  'waitFor',
];

const AUTOMATIONS_TEXT = [
  'services:',
  '  web:',
  '    name: Web',
  '    commands:',
  '      start: npm run dev',
  '      ready: curl -fs localhost:3000',
  '    triggeredBy: [postEnvironmentStart]',
  'tasks:',
  '  build:',
  '    command: npm run build',
  '    dependsOn: [deps]',
  '  deps:',
  '    command: npm ci',
  '    triggeredBy: [manual, postEnvironmentStart]',
  '',
].join('\n');

const DC_FILE = '/w/.devcontainer/devcontainer.json';
const AU_FILE = '/w/.devrig/automations.yaml';
const located = (file: string) =>
  new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(:\\d+:\\d+)?: `);

test(`fuzz: ${CASES} mutated devcontainer.json files get a config or a ConfigError at its place (seed ${SEED})`, () => {
  console.log(`config fuzz seed ${SEED} (FUZZ_SEED=${SEED} replays it)`);
  const r = rng(SEED);
  const valid = JSON.stringify(DEVCONTAINER, null, 2);
  let rejected = 0;
  for (let i = 0; i < CASES; i++) {
    const text =
      r.next() < 0.5
        ? mutateText(r, valid)
        : JSON.stringify(mutateObject(r, DEVCONTAINER, DEVCONTAINER_KEYS), null, r.pick([0, 2]));
    try {
      parseDevcontainerText(text, DC_FILE);
    } catch (e) {
      rejected++;
      const why = `case ${i} (seed ${SEED}): ${JSON.stringify(text.slice(0, 300))}`;
      assert.ok(e instanceof ConfigError, `not a ConfigError: ${String(e)} — ${why}`);
      assert.match(e.message, located(DC_FILE), why);
      if (e.code === 'Syntax') assert.ok(e.line && e.column, `a syntax error without line:col — ${why}`);
      assert.ok(e.message.length < 64 * 1024, `an error message of ${e.message.length} characters — ${why}`);
    }
  }
  // The mutations are not all harmless: the parser was really exercised on bad input.
  assert.ok(rejected > CASES / 10, `only ${rejected} of ${CASES} rejected`);
});

test(`fuzz: ${CASES} mutated automations.yaml files get automations or an AutomationsError at its place (seed ${SEED})`, () => {
  const r = rng(SEED + 1);
  let rejected = 0;
  for (let i = 0; i < CASES; i++) {
    const text = r.next() < 0.6 ? mutateText(r, AUTOMATIONS_TEXT) : mutateYamlValue(r);
    try {
      loadAutomations({ fileText: text, file: AU_FILE });
    } catch (e) {
      rejected++;
      const why = `case ${i} (seed ${SEED + 1}): ${JSON.stringify(text.slice(0, 300))}`;
      assert.ok(e instanceof AutomationsError, `not an AutomationsError: ${String(e)} — ${why}`);
      assert.ok(e.issues.length > 0, why);
      for (const issue of e.issues) {
        assert.match(`${issue.where}: `, located(AU_FILE), why);
      }
      assert.ok(e.message.length < 64 * 1024, `an error message of ${e.message.length} characters — ${why}`);
    }
  }
  assert.ok(rejected > CASES / 10, `only ${rejected} of ${CASES} rejected`);

  function mutateYamlValue(rr: Rng): string {
    // A value replaced by a random one, as JSON (which is YAML): wrong types, deep nesting, huge strings.
    const lines = AUTOMATIONS_TEXT.split('\n');
    const at = rr.int(lines.length);
    const line = lines[at]!;
    const colon = line.indexOf(':');
    if (colon < 0) return AUTOMATIONS_TEXT;
    lines[at] = `${line.slice(0, colon + 1)} ${JSON.stringify(randomValue(rr)) ?? 'null'}`;
    return lines.join('\n');
  }
});
