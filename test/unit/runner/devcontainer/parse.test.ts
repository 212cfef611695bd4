import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseDevcontainerObject, parseDevcontainerText } from '../../../../runner/devcontainer';

const FILE = '/x/.devcontainer/devcontainer.json';

function parseError(text: string): ConfigError {
  try {
    parseDevcontainerText(text, FILE);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the config to be rejected');
}

test('comments, block comments and trailing commas are accepted', () => {
  const { config, warnings } = parseDevcontainerText(
    `// top comment
{
  /* block */
  "name": "demo", // trailing comment
  "image": "node:20",
  "forwardPorts": [3000, 5173,],
}
`,
    FILE,
  );
  assert.equal(config.name, 'demo');
  assert.equal(config.image, 'node:20');
  assert.deepEqual(config.forwardPorts, [3000, 5173]);
  assert.deepEqual(warnings, []);
});

test('a byte order mark is not a syntax error and does not shift columns', () => {
  const error = parseError('\uFEFF{ "image": 1 }');
  assert.equal(error.line, 1);
  assert.equal(error.column, 12);
});

const syntaxCases: { name: string; text: string; line: number; column: number; words: string }[] = [
  {
    name: 'missing comma at the end of line 3 is reported where line 4 starts',
    text: '{\n  "name": "x",\n  "image": "y"\n  "remoteUser": "z"\n}\n',
    line: 4,
    column: 3,
    words: 'expected a comma before this (CommaExpected)',
  },
  {
    name: 'missing colon',
    text: '{\n  "image" "y"\n}',
    line: 2,
    column: 11,
    words: 'expected a colon after the property name (ColonExpected)',
  },
  {
    name: 'unquoted property name',
    text: '{\n  image: "y"\n}',
    line: 2,
    column: 3,
    words: 'unexpected character (InvalidSymbol)',
  },
  {
    name: 'unclosed object',
    text: '{\n  "image": "y"\n',
    line: 3,
    column: 1,
    words: "expected a closing brace '}' (CloseBraceExpected)",
  },
  { name: 'empty file', text: '', line: 1, column: 1, words: 'expected a value (ValueExpected)' },
  {
    name: 'unterminated string on a CRLF line',
    text: '{\r\n  "name": "x",\r\n  "image": "abc\r\n}',
    line: 3,
    column: 12,
    words: 'string is not closed (missing ") (UnexpectedEndOfString)',
  },
];

for (const c of syntaxCases) {
  test(`syntax error: ${c.name}`, () => {
    const error = parseError(c.text);
    assert.equal(error.code, 'Syntax');
    assert.equal(error.file, FILE);
    assert.deepEqual([error.line, error.column], [c.line, c.column]);
    assert.equal(error.message, `${FILE}:${c.line}:${c.column}: ${c.words}`);
    assert.equal(String(error), error.message);
  });
}

const invalidCases: { name: string; text: string; message: string; property: string }[] = [
  {
    name: 'forwardPorts item that is neither a number nor host:port',
    text: '{\n  "image": "y",\n  "forwardPorts": [3000, "abc"]\n}',
    message: `${FILE}:3:26: "forwardPorts[1]" must be a number or "host:port" string`,
    property: 'forwardPorts[1]',
  },
  {
    name: 'port out of range',
    text: '{\n  "image": "y",\n  "forwardPorts": [70000]\n}',
    message: `${FILE}:3:20: "forwardPorts[0]" must be a port number between 1 and 65535`,
    property: 'forwardPorts[0]',
  },
  {
    name: 'name that is a number',
    text: '{\n  "name": 42,\n  "image": "y"\n}',
    message: `${FILE}:2:11: "name" must be a string`,
    property: 'name',
  },
  {
    name: 'shutdownAction outside its enum',
    text: '{ "image": "y", "shutdownAction": "halt" }',
    message: `${FILE}:1:35: "shutdownAction" must be one of "none", "stopContainer", "stopCompose"`,
    property: 'shutdownAction',
  },
  {
    name: 'an argument of a named lifecycle command',
    text: '{\n  "image": "y",\n  "postCreateCommand": {\n    "deps": ["npm", 1]\n  }\n}',
    message: `${FILE}:4:21: "postCreateCommand.deps[1]" must be a string`,
    property: 'postCreateCommand.deps[1]',
  },
  {
    name: 'a mount object without target points at the object',
    text: '{\n  "image": "y",\n  "mounts": [\n    { "type": "volume", "source": "cache" }\n  ]\n}',
    message: `${FILE}:4:5: "mounts[0].target" is required`,
    property: 'mounts[0].target',
  },
  {
    name: 'build args must be strings',
    text: '{ "build": { "dockerfile": "Dockerfile", "args": { "NODE": 20 } } }',
    message: `${FILE}:1:60: "build.args.NODE" must be a string`,
    property: 'build.args.NODE',
  },
  {
    name: 'memory that is not a size',
    text: '{ "image": "y", "hostRequirements": { "memory": "lots" } }',
    message: `${FILE}:1:49: "hostRequirements.memory" must be a size like "4gb" or "512mb"`,
    property: 'hostRequirements.memory',
  },
  {
    name: 'a top level that is not an object',
    text: '[\n  1\n]',
    message: `${FILE}:1:1: the configuration must be a JSON object`,
    property: '',
  },
  {
    name: 'portsAttributes with a bad onAutoForward, keyed by a port number',
    text: '{ "image": "y", "portsAttributes": { "3000": { "onAutoForward": "loud" } } }',
    message: `${FILE}:1:65: "portsAttributes["3000"].onAutoForward" must be one of "notify", "openBrowser", "openBrowserOnce", "openPreview", "silent", "ignore"`,
    property: 'portsAttributes["3000"].onAutoForward',
  },
];

for (const c of invalidCases) {
  test(`schema error: ${c.name}`, () => {
    const error = parseError(c.text);
    assert.equal(error.code, 'Invalid');
    assert.equal(error.message, c.message);
    assert.equal(error.property, c.property);
  });
}

test('several schema errors are all listed, in file order, the first being the error position', () => {
  const error = parseError('{\n  "image": 1,\n  "name": 2\n}');
  assert.equal(
    error.message,
    `${FILE}:2:12: "image" must be a string\n${FILE}:3:11: "name" must be a string`,
  );
  assert.deepEqual([error.line, error.column], [2, 12]);
  assert.ok(error.cause, 'the zod error is kept as the cause');
});

test('unsupported and unknown properties warn with the position of their key, and do not fail', () => {
  const text = `{
  "image": "y",
  "features": {
    "ghcr.io/devcontainers/features/node:1": {}
  },
  "appPort": 3000,
  "fancy": true,
  "build": { "dockerfile": "D", "secretThing": 1 }
}`;
  const { warnings } = parseDevcontainerText(text, FILE);
  assert.deepEqual(warnings, [
    {
      property: 'features',
      file: FILE,
      line: 3,
      column: 3,
      message: 'features are not supported by devrig yet; the container is built without them',
    },
    { property: 'fancy', file: FILE, line: 7, column: 3, message: 'unknown property "fancy" was ignored' },
    {
      property: 'build.secretThing',
      file: FILE,
      line: 8,
      column: 33,
      message: 'unknown property "build.secretThing" was ignored',
    },
  ]);
});

test('Compose properties, updateRemoteUserUID, waitFor, userEnvProbe and build.options parse without warnings (applied)', () => {
  const { warnings } = parseDevcontainerText(
    '{ "dockerComposeFile": "c.yml", "service": "app", "runServices": ["db"], "updateRemoteUserUID": false, "waitFor": "onCreateCommand", "userEnvProbe": "none" }',
    FILE,
  );
  assert.deepEqual(
    warnings.map((w) => w.property),
    [],
  );
  const built = parseDevcontainerText('{ "build": { "dockerfile": "D", "options": ["--pull"] } }', FILE);
  assert.deepEqual(
    built.warnings.map((w) => w.property),
    [],
  );
});

test('service and runServices without dockerComposeFile warn that they only apply to Compose', () => {
  const { warnings } = parseDevcontainerText('{ "image": "x", "service": "app", "runServices": [] }', FILE);
  assert.deepEqual(
    warnings.map((w) => [w.property, w.message]),
    [
      [
        'service',
        'service only applies to Docker Compose configurations (dockerComposeFile) and was ignored',
      ],
      [
        'runServices',
        'runServices only applies to Docker Compose configurations (dockerComposeFile) and was ignored',
      ],
    ],
  );
});

test('waitFor, userEnvProbe and appPort are validated with their positions', () => {
  for (const [text, message] of [
    ['{ "image": "x", "waitFor": "postAttachCommand" }', '1:28: "waitFor" must be one of'],
    ['{ "image": "x", "userEnvProbe": "bash" }', '1:33: "userEnvProbe" must be one of'],
    [
      '{ "image": "x", "appPort": [3000, true] }',
      '1:35: "appPort[1]" must be a port number or a "host:container" string',
    ],
    ['{ "image": "x", "appPort": 70000 }', '1:28: "appPort" must be a port number between 1 and 65535'],
  ] as const) {
    assert.throws(
      () => parseDevcontainerText(text, FILE),
      (error: unknown) => error instanceof ConfigError && error.message.startsWith(`${FILE}:${message}`),
      text,
    );
  }
});

test('remoteEnv accepts null to unset a variable', () => {
  const { config } = parseDevcontainerText('{ "image": "y", "remoteEnv": { "A": "1", "B": null } }', FILE);
  assert.deepEqual(config.remoteEnv, { A: '1', B: null });
});

test('inline configs validate with path-only messages', () => {
  assert.throws(
    () => parseDevcontainerObject({ image: 'y', runArgs: ['--init', 3] }, '(inline)'),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.message === '(inline): "runArgs[1]" must be a string' &&
      error.line === undefined &&
      error.column === undefined,
  );
  const { config, warnings } = parseDevcontainerObject({ image: 'y', features: {} }, '(inline)');
  assert.equal(config.image, 'y');
  assert.deepEqual(warnings, [
    {
      property: 'features',
      file: '(inline)',
      message: 'features are not supported by devrig yet; the container is built without them',
    },
  ]);
});
