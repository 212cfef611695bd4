import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiError,
  EnvironmentApply,
  HostApply,
  NAME_PATTERN,
  type Environment,
} from '../../../../runner/api';
import { applyLifecycle, specFor, targetPhase } from '../../../../extension/environments/desiredState';
import { validateGitUrl } from '../../../../extension/environments/gitUrl';
import { posix, win32 } from 'node:path';
import { forwardedPort, forwardOf } from '../../../../runner/presentation/forwardedPort';
import {
  environmentForFolder,
  nameFromGitUrl,
  normalizeFolder,
  uniqueName,
} from '../../../../runner/client/naming';
import { newEnvironment } from '../../../../extension/environments/newEnvironment';
import { outcomeFor } from '../../../../extension/environments/outcome';
import { hostName, hostResource, parseHostAddress } from '../../../../runner/client/hostAddress';
import { cond, env } from '../../../helpers/resources';

test('environmentForFolder matches the source folder, ignoring trailing slashes', () => {
  const envs = [env('a', 'Running', { folder: '/src/a' }), env('g', 'Running', { git: 'https://x/y.git' })];
  assert.equal(environmentForFolder(envs, '/src/a/')?.metadata.name, 'a');
  assert.equal(environmentForFolder(envs, '/src/b'), undefined);
});

test('environmentForFolder on Windows: drive letter case, / or \\, trailing separators', () => {
  const envs = [env('a', 'Running', { folder: 'C:\\src\\a' }), env('b', 'Running', { folder: 'd:/work/b/' })];
  for (const folder of ['c:\\src\\a', 'C:\\src\\a\\', 'c:/src/a', 'C:\\src\\.\\a']) {
    assert.equal(environmentForFolder(envs, folder, win32)?.metadata.name, 'a', folder);
  }
  assert.equal(environmentForFolder(envs, 'D:\\work\\b', win32)?.metadata.name, 'b');
  assert.equal(environmentForFolder(envs, 'C:\\src\\ab', win32), undefined);
  assert.equal(normalizeFolder('C:\\', win32), 'c:\\', 'a root keeps its separator');
  // On Linux and macOS case matters and a backslash is part of a name.
  assert.equal(environmentForFolder([env('x', 'Running', { folder: '/src/X' })], '/src/x', posix), undefined);
  assert.equal(normalizeFolder('/src//x/', posix), '/src/x');
  assert.equal(normalizeFolder('/', posix), '/');
});

test("forwarded ports: the runner's url (https when configured) and 127.0.0.1, where the forward listens", () => {
  const e = env('web', 'Running', {
    status: {
      ports: [
        {
          port: 3000,
          protocol: 'tcp',
          source: 'config',
          state: 'Forwarded',
          localPort: 43121,
          url: 'https://127.0.0.1:43121',
        },
        { port: 8080, protocol: 'tcp', source: 'detected', state: 'Forwarded', localPort: 43122 },
        { port: 5432, protocol: 'tcp', source: 'detected', state: 'Error', message: 'in use' },
      ],
    },
  });
  assert.deepEqual(
    [forwardedPort(e, 'web', 3000).url, forwardedPort(e, 'web', 3000).address],
    ['https://127.0.0.1:43121', '127.0.0.1:43121'],
  );
  assert.equal(forwardedPort(e, 'web', 8080).url, 'http://127.0.0.1:43122', 'a runner without url');
  assert.throws(() => forwardedPort(e, 'web', 5432), /port 5432 of web is not forwarded \(error\)/);
  assert.throws(() => forwardedPort(e, 'web', 9999), /port 9999 of web is not forwarded$/);
  assert.throws(() => forwardedPort(undefined, 'web', 3000), /not known/);
  assert.equal(forwardOf(e.status.ports[2]!), undefined);
});

test('names: from git URLs, made unique with a stable suffix', () => {
  assert.equal(nameFromGitUrl('https://github.com/org/My_Repo.git'), 'my-repo');
  assert.equal(nameFromGitUrl('git@github.com:org/tool.git'), 'tool');
  assert.equal(nameFromGitUrl('https://host/org/app/'), 'app');
  assert.equal(uniqueName('app', '/a/app', new Set()), 'app');
  const u = uniqueName('app', '/a/app', new Set(['app']));
  assert.match(u, /^app-[a-z0-9]{1,6}$/);
  assert.equal(uniqueName('app', '/a/app', new Set(['app'])), u, 'stable for the same key');
  assert.notEqual(uniqueName('app', '/b/app', new Set(['app'])), u);
  const long = uniqueName('x'.repeat(40), '/k', new Set(['x'.repeat(40)]));
  assert.ok(NAME_PATTERN.test(long) && long.length <= 40, long);
  const again = uniqueName('app', '/a/app', new Set(['app', u]));
  assert.ok(again !== u && NAME_PATTERN.test(again));
});

test('validateGitUrl', () => {
  for (const ok of [
    'https://github.com/org/repo.git',
    'ssh://git@host/org/repo',
    'git@github.com:org/repo.git',
    'http://127.0.0.1:3000/r',
  ]) {
    assert.equal(validateGitUrl(ok), undefined, ok);
  }
  for (const bad of ['', 'repo', 'https://', 'ftp://x/y', 'https://host/ repo', '/local/path']) {
    assert.ok(validateGitUrl(bad), bad);
  }
});

test('newEnvironment: folder and git sources, devcontainer path only when not the default, default resources', () => {
  const a = newEnvironment({
    name: 'a',
    source: { kind: 'folder', folder: '/src/a', configFile: '/src/a/.devcontainer/devcontainer.json' },
    resources: { cpus: 2, memory: '4g' },
  });
  assert.deepEqual(a, {
    kind: 'Environment',
    metadata: { name: 'a' },
    spec: { source: { folder: '/src/a' }, state: 'Running', resources: { cpus: 2, memory: '4g' } },
  });
  assert.ok(EnvironmentApply.safeParse(a).success);
  const b = newEnvironment({
    name: 'b',
    source: { kind: 'folder', folder: '/src/b', configFile: '/src/b/.devcontainer/py/devcontainer.json' },
    resources: undefined,
  });
  assert.deepEqual(b.spec.devcontainer, { path: '.devcontainer/py/devcontainer.json' });
  const g = newEnvironment({
    name: 'g',
    source: { kind: 'git', url: ' https://h/o/r.git ', ref: 'main' },
    resources: undefined,
  });
  assert.deepEqual(g.spec.source, { git: { url: 'https://h/o/r.git', ref: 'main' } });
  assert.ok(EnvironmentApply.safeParse(g).success);
  // Re-creating the folder's existing environment keeps its spec (and its own resources) and sends its resourceVersion.
  const existing = env('a', 'Stopped', { folder: '/src/a' });
  existing.spec.resources = { memory: '1g' };
  const again = newEnvironment({
    name: 'a',
    source: { kind: 'folder', folder: '/src/a' },
    resources: { memory: '8g' },
    existing: { resourceVersion: '7', spec: existing.spec },
  });
  assert.equal(again.metadata.resourceVersion, '7');
  assert.equal(again.spec.state, 'Running');
  assert.deepEqual(again.spec.resources, { memory: '1g' });
});

test('newEnvironment: a config picked again replaces the existing choice, the default one included', () => {
  const existing = env('a', 'Stopped', { folder: '/src/a' });
  existing.spec.devcontainer = { path: '.devcontainer/py/devcontainer.json' };
  const recreate = (configFile?: string) =>
    newEnvironment({
      name: 'a',
      source: { kind: 'folder', folder: '/src/a', ...(configFile ? { configFile } : {}) },
      resources: undefined,
      existing: { resourceVersion: '7', spec: existing.spec },
    }).spec;
  const toDefault = recreate('/src/a/.devcontainer/devcontainer.json');
  assert.equal(toDefault.devcontainer, undefined);
  assert.ok(!('devcontainer' in JSON.parse(JSON.stringify(toDefault))), 'not sent: apply replaces the spec');
  assert.deepEqual(recreate('/src/a/.devcontainer/go/devcontainer.json').devcontainer, {
    path: '.devcontainer/go/devcontainer.json',
  });
  assert.deepEqual(recreate(undefined).devcontainer, existing.spec.devcontainer, 'nothing picked: kept');
});

test('specFor/targetPhase: state and opaque tokens', () => {
  const spec = env('e', 'Running').spec;
  assert.equal(specFor('stop', spec, 't').state, 'Stopped');
  assert.equal(specFor('start', { ...spec, state: 'Stopped' }, 't').state, 'Running');
  assert.equal(specFor('restart', spec, 't1').restart, 't1');
  assert.equal(specFor('rebuild', spec, 't2').rebuild, 't2');
  assert.equal(specFor('start', spec, 't').restart, undefined);
  assert.equal(targetPhase('stop'), 'Stopped');
  assert.equal(targetPhase('rebuild'), 'Running');
});

test('applyLifecycle retries a Conflict with a fresh read, and sends the resourceVersion it read', async () => {
  let rv = 1;
  const applied: { resourceVersion?: string; state?: string }[] = [];
  const client = {
    call: async (
      method: string,
      params: { resource?: { metadata: { resourceVersion?: string }; spec: { state: string } } },
    ) => {
      if (method === 'get') return env('e', 'Running', { resourceVersion: String(rv) });
      const sent = params.resource!;
      applied.push({ resourceVersion: sent.metadata.resourceVersion, state: sent.spec.state });
      if (applied.length === 1) {
        rv = 2; // someone else wrote in between
        throw new ApiError('Conflict', 'changed since you read it');
      }
      return {
        ...env('e', 'Running', { resourceVersion: '3', generation: 2 }),
        spec: sent.spec,
      } as Environment;
    },
  };
  const out = await applyLifecycle(client as never, 'e', 'stop');
  assert.deepEqual(applied, [
    { resourceVersion: '1', state: 'Stopped' },
    { resourceVersion: '2', state: 'Stopped' },
  ]);
  assert.equal(out.metadata.generation, 2);
  const failing = {
    call: async (m: string) =>
      m === 'get' ? env('e', 'Running') : Promise.reject(new ApiError('Invalid', 'bad')),
  };
  await assert.rejects(applyLifecycle(failing as never, 'e', 'start'), /bad/);
});

test('applyLifecycle starts from the cached copy and reads only after a Conflict', async () => {
  const calls: string[] = [];
  let storeRv = '5';
  const client = {
    call: async (method: string, params: { resource?: { metadata: { resourceVersion: string } } }) => {
      calls.push(method === 'get' ? 'get' : `apply@${params.resource!.metadata.resourceVersion}`);
      if (method === 'get') return env('e', 'Running', { resourceVersion: storeRv });
      if (params.resource!.metadata.resourceVersion !== storeRv) throw new ApiError('Conflict', 'stale');
      storeRv = String(Number(storeRv) + 1);
      return env('e', 'Stopped', { resourceVersion: storeRv, generation: 2 });
    },
  };
  await applyLifecycle(client as never, 'e', 'stop', {
    known: env('e', 'Running', { resourceVersion: '5' }),
  });
  assert.deepEqual(calls, ['apply@5'], 'a current cache: no get');
  calls.length = 0;
  await applyLifecycle(client as never, 'e', 'start', {
    known: env('e', 'Running', { resourceVersion: '3' }),
  });
  assert.deepEqual(calls, ['apply@3', 'get', 'apply@6'], 'a stale cache: one get after the Conflict');
  calls.length = 0;
  await applyLifecycle(client as never, 'e', 'stop');
  assert.deepEqual(calls, ['get', 'apply@7'], 'nothing cached: get first');
});

test('outcomeFor: progress, done for the generation, failures only for this generation', () => {
  assert.deepEqual(outcomeFor(env('e', 'Running', { generation: 2, observedGeneration: 2 }), 2, 'Running'), {
    state: 'done',
  });
  assert.equal(
    outcomeFor(env('e', 'Running', { generation: 2, observedGeneration: 1 }), 2, 'Running').state,
    'progress',
    'not observed yet',
  );
  const building = env('e', 'Building', {
    conditions: [cond('Ready', 'False', 'Building', 'preparing the image')],
  });
  assert.deepEqual(outcomeFor(building, 1, 'Running'), {
    state: 'progress',
    message: 'Building: preparing the image',
  });
  const oldFailure = env('e', 'Failed', {
    generation: 3,
    observedGeneration: 2,
    conditions: [cond('ImageReady', 'False', 'PullFailed', 'no registry', 2)],
  });
  assert.equal(outcomeFor(oldFailure, 3, 'Running').state, 'progress');
  const newFailure = env('e', 'Failed', {
    generation: 3,
    conditions: [cond('ImageReady', 'False', 'PullFailed', 'no registry', 3)],
  });
  const o = outcomeFor(newFailure, 3, 'Running');
  assert.equal(o.state, 'failed');
  assert.equal(o.state === 'failed' && o.message, 'no registry');
});

test('parseHostAddress / hostName / hostResource', () => {
  assert.deepEqual(parseHostAddress('dev@build.example.com'), {
    user: 'dev',
    address: 'build.example.com',
    port: 22,
  });
  assert.deepEqual(parseHostAddress(' dev@10.0.0.5:2222 '), { user: 'dev', address: '10.0.0.5', port: 2222 });
  assert.deepEqual(parseHostAddress('root@[::1]:22'), { user: 'root', address: '::1', port: 22 });
  for (const bad of ['host', '@host', 'dev@', 'dev@host:0', 'dev@host:99999', 'dev@ho st', 'a b@host']) {
    assert.ok('error' in parseHostAddress(bad), bad);
  }
  const a = { user: 'dev', address: 'Build.Example.com', port: 22 };
  assert.equal(hostName(a, new Set()), 'build-example-com');
  assert.equal(hostName({ ...a, port: 2222 }, new Set(['build-example-com'])), 'build-example-com-2222');
  assert.match(hostName(a, new Set(['build-example-com'])), /^build-example-com-\d+$/);
  assert.equal(
    hostName({ user: 'u', address: 'local', port: 22 }, new Set()) === 'local',
    false,
    'never the local host name',
  );
  const r = hostResource('box', { user: 'dev', address: 'h', port: 22 });
  assert.ok(HostApply.safeParse(r).success);
});
