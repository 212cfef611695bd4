import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AutomationsError, loadAutomations } from '../../../../runner/automations/automationsFile';

const FILE = '.devrig/automations.yaml';

const errors: [string, string, RegExp][] = [
  ['bad YAML', 'tasks: [\n', /^\.devrig\/automations\.yaml:2:1: /],
  ['duplicate keys', 'tasks:\n  a:\n    command: x\n  a:\n    command: y\n', /:4:3: Map keys must be unique/],
  [
    'a wrong type',
    'services:\n  web:\n    commands:\n      start: 1\n',
    /:4:14: services\.web\.commands\.start: Invalid input: expected string, received number$/,
  ],
  [
    'a missing command',
    'services:\n  web:\n    commands: {}\n',
    /:3:5: services\.web\.commands\.start: is required \(string\)$/,
  ],
  [
    'an unknown key',
    'tasks:\n  a:\n    command: x\n    runsOn: docker\n',
    /:4:5: tasks\.a: unknown key "runsOn"$/,
  ],
  [
    'an unknown trigger',
    'tasks:\n  a:\n    command: x\n    triggeredBy: [onSave]\n',
    /:4:19: tasks\.a\.triggeredBy\[0\]: Invalid option/,
  ],
  ['a bad id', 'tasks:\n  "no spaces":\n    command: x\n', /:2:3: tasks\.no spaces: ids are 1-63/],
  [
    'an unknown dependency',
    'tasks:\n  a:\n    command: x\n    dependsOn: [b]\n',
    /:4:5: tasks\.a\.dependsOn: "b" is not a task$/,
  ],
  [
    'a cycle',
    'tasks:\n  a:\n    command: x\n    dependsOn: [b]\n  b:\n    command: y\n    dependsOn: [a]\n',
    /:4:5: tasks depend on each other in a cycle: a → b → a$/,
  ],
];
for (const [what, text, want] of errors) {
  test(`automations.yaml: ${what} is an error at its place`, () => {
    assert.throws(
      () => loadAutomations({ fileText: text, file: FILE }),
      (e: unknown) => e instanceof AutomationsError && want.test(e.message),
    );
  });
}

test('an empty file is no automations; defaults are filled in', () => {
  assert.deepEqual(loadAutomations({ fileText: '# nothing yet\n', file: FILE }), { services: {}, tasks: {} });
  const spec = loadAutomations({
    fileText: 'services:\n  web:\n    commands:\n      start: serve\ntasks:\n  t:\n    command: make\n',
    file: FILE,
  });
  assert.deepEqual(spec.services.web?.triggeredBy, ['postEnvironmentStart']);
  assert.deepEqual(spec.tasks.t, { triggeredBy: ['manual'], dependsOn: [], command: 'make' });
});

test('inline spec.automations replace file entries of the same id, and are checked together', () => {
  const spec = loadAutomations({
    fileText: 'tasks:\n  a:\n    command: from-file\n  b:\n    command: b\n',
    file: FILE,
    inline: {
      services: {},
      tasks: { a: { command: 'inline', dependsOn: ['b'], triggeredBy: ['manual'] } },
    },
  });
  assert.equal(spec.tasks.a?.command, 'inline');
  assert.equal(spec.tasks.b?.command, 'b');
  assert.throws(
    () =>
      loadAutomations({
        file: FILE,
        inline: { services: {}, tasks: { a: { command: 'x', dependsOn: ['a'], triggeredBy: ['manual'] } } },
      }),
    /spec\.automations\.tasks\.a\.dependsOn: tasks depend on each other in a cycle: a → a/,
  );
});
