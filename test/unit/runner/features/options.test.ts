import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseDevcontainerText } from '../../../../runner/devcontainer';
import {
  optionEnvLines,
  optionEnvName,
  resolveOptions,
  type FeatureOption,
} from '../../../../runner/features';

const DECLARED: Record<string, FeatureOption> = {
  version: { type: 'string', default: 'lts', proposals: ['lts', '20'] },
  flavor: { type: 'string', enum: ['vanilla', 'chocolate'], default: 'vanilla' },
  installTools: { type: 'boolean', default: true },
  extra: { type: 'string' },
};

const FILE = '/p/.devcontainer/devcontainer.json';
const TEXT = `{
  "image": "x",
  "features": {
    "./node": {
      "version": "20",
      "installTools": "yes",
      "flavour": "mint"
    }
  }
}
`;

function source() {
  const { sourceMap } = parseDevcontainerText(TEXT, FILE);
  return { file: FILE, sourceMap, at: ['features', './node'] };
}

function error(run: () => unknown): ConfigError {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e;
  }
  assert.fail('expected a ConfigError');
}

test('option names become variables exactly as the reference names them', () => {
  const cases: [string, string][] = [
    ['version', 'VERSION'],
    ['installTools', 'INSTALLTOOLS'],
    ['node-gyp', 'NODE_GYP'],
    ['a.b c', 'A_B_C'],
    ['9lives', '_LIVES'],
    ['__x', '_X'],
    ['_1abc', '_ABC'],
  ];
  for (const [option, variable] of cases) assert.equal(optionEnvName(option), variable, option);
});

test('defaults, then what was written, in the order the reference writes them', () => {
  const { values, warnings } = resolveOptions('./node', DECLARED, { extra: 'x', version: '18' }, source());
  assert.deepEqual(values, { version: '18', flavor: 'vanilla', installTools: true, extra: 'x' });
  assert.deepEqual(warnings, []);
  assert.deepEqual(optionEnvLines(values), [
    'VERSION="18"',
    'FLAVOR="vanilla"',
    'INSTALLTOOLS="true"',
    'EXTRA="x"',
  ]);
});

test('a string is the version shorthand; true and {} are the defaults', () => {
  assert.deepEqual(resolveOptions('f', DECLARED, '20', source()).values.version, '20');
  assert.deepEqual(resolveOptions('f', DECLARED, true, source()).values, {
    version: 'lts',
    flavor: 'vanilla',
    installTools: true,
  });
  assert.deepEqual(resolveOptions('f', DECLARED, {}, source()).values.version, 'lts');
  const noVersion = resolveOptions('f', { a: { type: 'boolean', default: false } }, '20', source());
  assert.deepEqual(noVersion.values, { a: false });
  assert.match(noVersion.warnings[0] ?? '', /which this Feature does not have; "20" was ignored/);
  assert.match(resolveOptions('f', DECLARED, false, source()).warnings[0] ?? '', /does not leave it out/);
});

test('booleans accept "true"/"false" (same env text); proposals allow any string', () => {
  const { values } = resolveOptions('f', DECLARED, { installTools: 'false', version: 'anything' }, source());
  assert.deepEqual(optionEnvLines(values), [
    'VERSION="anything"',
    'FLAVOR="vanilla"',
    'INSTALLTOOLS="false"',
  ]);
});

test('a wrong type is an error at the value, file:line:col', () => {
  const e = error(() => resolveOptions('./node', DECLARED, { installTools: 'yes' }, source()));
  assert.equal(e.message, `${FILE}:6:23: "features["./node"].installTools" must be true or false, not "yes"`);
  const n = error(() => resolveOptions('./node', DECLARED, { version: 20 }, source()));
  assert.match(n.message, /"features\["\.\/node"\]\.version" must be a string \(write "20"\)/);
  const b = error(() => resolveOptions('./node', DECLARED, { extra: true }, source()));
  assert.match(b.message, /must be a string, not true/);
});

test('an enum value outside the enum, and an unknown option, are errors naming what is allowed', () => {
  const e = error(() => resolveOptions('./node', DECLARED, { flavor: 'mint' }, source()));
  assert.match(
    e.message,
    /"features\["\.\/node"\]\.flavor" must be one of "vanilla", "chocolate", not "mint"/,
  );
  const u = error(() => resolveOptions('./node', DECLARED, { flavour: 'mint' }, source()));
  assert.equal(
    u.message,
    `${FILE}:7:7: "features["./node"].flavour" is not an option of Feature ./node; its options are version, flavor, installTools, extra`,
  );
  const none = error(() => resolveOptions('./x', undefined, { a: '1' }, source()));
  assert.match(none.message, /it has no options/);
  const shorthand = error(() =>
    resolveOptions('./node', { version: { type: 'string', enum: ['1'] } }, '2', source()),
  );
  assert.match(
    shorthand.message,
    /:4:15: "features\["\.\/node"\]" \(the "version" option of \.\/node\) must be one of "1"/,
  );
});

test('env values cannot break out of their quotes; $VAR still expands as in the reference', () => {
  assert.deepEqual(optionEnvLines({ a: 'say "hi" `rm` \\ $HOME' }), ['A="say \\"hi\\" \\`rm\\` \\\\ $HOME"']);
});
