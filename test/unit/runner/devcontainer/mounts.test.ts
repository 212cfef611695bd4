import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MountError,
  mountFromObject,
  parseMountString,
  parseVolumeFlag,
  type Mount,
} from '../../../../runner/devcontainer';

const mountCases: { input: string; expected: Mount }[] = [
  {
    input: 'type=bind,source=/a,target=/b',
    expected: { type: 'bind', source: '/a', target: '/b', readOnly: false },
  },
  {
    input: 'source=/a,target=/b,type=bind,readonly',
    expected: { type: 'bind', source: '/a', target: '/b', readOnly: true },
  },
  {
    input: 'type=bind,src=/a,dst=/b,ro=true,consistency=cached',
    expected: { type: 'bind', source: '/a', target: '/b', readOnly: true },
  },
  {
    input: 'type=volume,source=cache,destination=/root/.cache,readonly=false',
    expected: { type: 'volume', source: 'cache', target: '/root/.cache', readOnly: false },
  },
  { input: 'target=/data', expected: { type: 'volume', target: '/data', readOnly: false } },
  { input: 'type=tmpfs,target=/tmp', expected: { type: 'tmpfs', target: '/tmp', readOnly: false } },
];

for (const c of mountCases) {
  test(`mount string ${c.input}`, () => {
    assert.deepEqual(parseMountString(c.input), c.expected);
  });
}

const badMounts: { input: string; message: string }[] = [
  { input: '', message: 'mount is empty' },
  { input: 'type=bind,source=/a', message: 'mount "type=bind,source=/a" has no target' },
  { input: 'type=bind,target=/b', message: 'bind mount "type=bind,target=/b" has no source' },
  {
    input: 'type=npipe,source=/a,target=/b',
    message: 'mount "type=npipe,source=/a,target=/b" has type "npipe"; it must be bind, volume or tmpfs',
  },
  {
    input: 'type=tmpfs,source=x,target=/t',
    message: 'tmpfs mount "type=tmpfs,source=x,target=/t" cannot have a source',
  },
  {
    input: 'type=bind,source=/a,target=relative',
    message:
      'mount "type=bind,source=/a,target=relative": target "relative" must be an absolute path in the container',
  },
  {
    input: 'type=bind,source=/a,target=/b,bind-propagation=rshared',
    message:
      'unknown option "bind-propagation" in mount "type=bind,source=/a,target=/b,bind-propagation=rshared"; devrig supports type, source, target and readonly',
  },
  {
    input: 'type=bind,source=/a,target=/b,readonly=maybe',
    message:
      '"readonly" in mount "type=bind,source=/a,target=/b,readonly=maybe" must be true or false, not "maybe"',
  },
];

for (const c of badMounts) {
  test(`bad mount string ${JSON.stringify(c.input)}`, () => {
    assert.throws(
      () => parseMountString(c.input),
      (error: unknown) => error instanceof MountError && error.message === c.message,
    );
  });
}

const volumeCases: { input: string; expected: Mount }[] = [
  {
    input: '/host/data:/data',
    expected: { type: 'bind', source: '/host/data', target: '/data', readOnly: false },
  },
  {
    input: '/host/data:/data:ro',
    expected: { type: 'bind', source: '/host/data', target: '/data', readOnly: true },
  },
  {
    input: 'cache:/cache:rw,z',
    expected: { type: 'volume', source: 'cache', target: '/cache', readOnly: false },
  },
  { input: '/anon', expected: { type: 'volume', target: '/anon', readOnly: false } },
  { input: './rel:/rel:ro', expected: { type: 'bind', source: './rel', target: '/rel', readOnly: true } },
];

for (const c of volumeCases) {
  test(`-v ${c.input}`, () => {
    assert.deepEqual(parseVolumeFlag(c.input), c.expected);
  });
}

const badVolumes: { input: string; message: RegExp }[] = [
  { input: 'a:/b:ro:extra', message: /must look like source:target/ },
  { input: '/a:/b:rx', message: /unknown option "rx"/ },
  { input: 'bad name!:/b', message: /neither an absolute path nor a valid volume name/ },
  { input: '/a:b', message: /target "b" must be an absolute path/ },
];

for (const c of badVolumes) {
  test(`bad -v ${c.input}`, () => {
    assert.throws(() => parseVolumeFlag(c.input), c.message);
  });
}

test('mount objects default readOnly to false and check the same rules', () => {
  assert.deepEqual(mountFromObject({ type: 'volume', source: 'v', target: '/v' }), {
    type: 'volume',
    source: 'v',
    target: '/v',
    readOnly: false,
  });
  assert.deepEqual(mountFromObject({ type: 'bind', source: '/s', target: '/t', readonly: true }), {
    type: 'bind',
    source: '/s',
    target: '/t',
    readOnly: true,
  });
  assert.throws(() => mountFromObject({ type: 'bind', target: '/t' }), /bind mount .* has no source/);
});
