// Features wired into environments, end to end: `devrig up` on a config with a local Feature and Features
// from a loopback registry (one with dependsOn), on a base image whose devcontainer.metadata label sets
// remoteUser, containerEnv and a postStart hook. Real runner, real engine, real registry.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Environment } from '../../runner/api';
import { BASE_IMAGE, docker, inspect, requireDocker } from '../helpers/docker';
import { makeProject, removeProjects, tempDir } from '../helpers/project';
import { publishFeature, startRegistry, type TestRegistry } from '../helpers/registry';
import { cleanupRunner, startRunner, type TestRunner } from '../helpers/runnerProcess';
import { watchUntil } from '../helpers/wait';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/features');
const TEST_LABEL = 'devrig.test';
const TEST_VALUE = `features-env-${process.pid}`;

/** A local Feature that writes a file from its option and runs postCreate/postStart hooks. */
function writeMine(folder: string, extra: Record<string, unknown> = {}): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    path.join(folder, 'devcontainer-feature.json'),
    JSON.stringify({
      id: 'mine',
      version: '1.0.0',
      options: { word: { type: 'string', default: 'one' } },
      postCreateCommand: 'echo mine >> /tmp/post-create-order.txt',
      postStartCommand: 'echo mine >> /tmp/post-start-order.txt',
      ...extra,
    }),
  );
  writeFileSync(
    path.join(folder, 'install.sh'),
    '#!/bin/sh\nset -e\necho "mine ${WORD} ${_REMOTE_USER}" > /usr/local/share/mine.txt\necho mine >> /usr/local/share/feature-install-order\n',
    { mode: 0o755 },
  );
}

async function exec(r: TestRunner, name: string, script: string): Promise<string> {
  const res = await r.cli(['exec', name, '--', 'sh', '-c', script]);
  assert.equal(res.code, 0, `${script}: ${res.stderr}`);
  return res.stdout;
}

const lines = (text: string) => text.trim().split('\n');

describe('an environment with Features and image metadata', () => {
  let r: TestRunner;
  let registry: TestRegistry;
  let folder: string;
  const baseTag = `devrig-features-env-base:${process.pid}`;
  const name = 'feat';
  let withDeps: string;
  let imageId: string;

  before(async () => {
    await requireDocker();
    registry = await startRegistry();
    for (const f of ['hello', 'with-deps'])
      await publishFeature(registry, path.join(FIXTURES, f), `devrig-test/${f}`);
    withDeps = `${registry.host}/devrig-test/with-deps:1`;
    // A base image like the devcontainers family's: its label sets the user, env and a postStart hook.
    const context = tempDir('devrig-features-env-base-');
    const label = JSON.stringify([
      {
        remoteUser: 'vscode',
        containerEnv: { FROM_BASE: 'yes' },
        postStartCommand: 'echo base >> /tmp/post-start-order.txt',
      },
    ]);
    writeFileSync(
      path.join(context, 'Dockerfile'),
      `FROM ${BASE_IMAGE}\nRUN id vscode || useradd -m -s /bin/bash vscode\nLABEL devcontainer.metadata='${label}'\n`,
    );
    const stream = await docker.buildImage(
      { context, src: ['Dockerfile'] },
      { t: baseTag, labels: { [TEST_LABEL]: TEST_VALUE } },
    );
    await new Promise((resolve, reject) =>
      docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve(undefined))),
    );
    folder = makeProject({
      image: baseTag,
      features: { './mine': { word: 'two' }, [withDeps]: {} },
      postCreateCommand: 'echo config >> /tmp/post-create-order.txt',
      postStartCommand: 'echo config >> /tmp/post-start-order.txt',
    });
    writeMine(path.join(folder, '.devcontainer/mine'));
    r = await startRunner();
  });

  after(async () => {
    await cleanupRunner(r);
    await registry?.stop();
    const images = await docker.listImages({ filters: { label: [`${TEST_LABEL}=${TEST_VALUE}`] } });
    for (const image of images)
      await docker
        .getImage(image.Id)
        .remove({ force: true })
        .catch(() => {});
    removeProjects();
  });

  const get = async () => (await r.client.call('get', { kind: 'Environment', name })) as Environment;

  test('devrig up installs them, with the metadata and hooks in the reference order', async () => {
    const up = await r.cli(['up', folder, '--name', name]);
    assert.equal(up.code, 0, up.stderr + up.stdout);
    assert.match(
      up.stdout + up.stderr,
      /Installing Feature \.\/mine \(1\/3\)|Installing Feature \.\/mine \(\d\/3\)/,
      'progress names the Feature',
    );
    const env = await get();
    const ids = env.status.features?.items.map((f) => f.id) ?? [];
    assert.deepEqual([...ids].sort(), ['./mine', `${registry.host}/devrig-test/hello:1`, withDeps].sort());
    // dependsOn: hello goes before with-deps, with with-deps' options.
    assert.ok(ids.indexOf(`${registry.host}/devrig-test/hello:1`) < ids.indexOf(withDeps));
    const hello = env.status.features!.items.find((f) => f.id.endsWith('hello:1'))!;
    assert.equal(hello.requiredBy, withDeps);
    assert.equal(hello.options['greeting'], 'hi from with-deps');
    assert.match(hello.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(env.status.features!.items.find((f) => f.id === './mine')!.options['word'], 'two');
    assert.equal(
      env.status.conditions.find((c) => c.type === 'FeaturesReady')?.status,
      'True',
      JSON.stringify(env.status.conditions),
    );

    // The base image's metadata: remoteUser and containerEnv; the Features' files and env.
    const seen = lines(
      await exec(r, name, 'id -un; echo "$FROM_BASE"; cat /usr/local/share/mine.txt; hello'),
    );
    assert.deepEqual(seen, [
      'vscode',
      'yes',
      'mine two vscode',
      'hi from with-deps from the vanilla hello Feature',
    ]);
    // Installed in the resolved order; hooks: the image's, then each Feature's in that order, then the config's.
    const order = lines(await exec(r, name, 'cat /usr/local/share/feature-install-order'));
    assert.deepEqual(
      order,
      ids.map((id) => (id === './mine' ? 'mine' : id === withDeps ? 'with-deps' : 'hello hi from with-deps')),
    );
    const withHooks = ids.filter((id) => id === './mine' || id === withDeps);
    const hookName = (id: string) => (id === './mine' ? 'mine' : 'with-deps');
    assert.deepEqual(lines(await exec(r, name, 'cat /tmp/post-create-order.txt')), [
      ...withHooks.map(hookName),
      'config',
    ]);
    assert.deepEqual(lines(await exec(r, name, 'cat /tmp/post-start-order.txt')), ['base', 'mine', 'config']);

    // The image devrig built: tagged by content hash, its metadata label a JSON array.
    const container = await inspect(env.status.containerId!);
    imageId = container.Image;
    const image = await docker.getImage(imageId).inspect();
    assert.equal(env.status.features?.image, image.RepoTags?.[0]);
    const label = JSON.parse(image.Config.Labels!['devcontainer.metadata']!) as unknown[];
    assert.ok(Array.isArray(label) && label.length >= 4, JSON.stringify(label));

    // The lockfile pins the registry Features by digest (local ones have nothing to pin).
    const lock = JSON.parse(readFileSync(path.join(folder, '.devcontainer/devcontainer-lock.json'), 'utf8'));
    assert.deepEqual(
      Object.keys(lock.features).sort(),
      [`${registry.host}/devrig-test/hello:1`, withDeps].sort(),
    );
    assert.equal(
      lock.features[withDeps].integrity,
      env.status.features!.items.find((f) => f.id === withDeps)!.digest,
    );

    // devrig get shows each Feature with its digest and options.
    const got = await r.cli(['get', name]);
    assert.match(got.stdout, /id: \.\/mine/);
    assert.match(got.stdout, /greeting: hi from with-deps/);
  });

  test('a recreated container reuses the image when the Features are unchanged', async () => {
    const before = await get();
    await docker.getContainer(before.status.containerId!).remove({ force: true });
    const back = await watchUntil(
      r.client,
      name,
      (e) =>
        e.status.phase === 'Running' &&
        !!e.status.containerId &&
        e.status.containerId !== before.status.containerId,
      'to be recreated',
      120_000,
    );
    assert.equal((await inspect(back.status.containerId!)).Image, imageId);
    assert.deepEqual(lines(await exec(r, name, 'id -un; cat /tmp/post-start-order.txt')), [
      'vscode',
      'base',
      'mine',
      'config',
    ]);
  });

  test('after a runner kill -9 the environment is adopted; stop/start runs the hooks of every source again', async () => {
    const before = await get();
    await r.kill('SIGKILL');
    await r.restart();
    const adopted = await watchUntil(
      r.client,
      name,
      (e) => e.status.phase === 'Running' && e.status.observedGeneration >= before.status.observedGeneration,
      'to be adopted',
      60_000,
    );
    assert.equal(adopted.status.containerId, before.status.containerId);
    assert.equal(adopted.status.remoteUser, 'vscode');
    assert.equal(adopted.status.features?.items.length, 3);
    assert.equal((await r.cli(['stop', name])).code, 0);
    const start = await r.cli(['start', name]);
    assert.equal(start.code, 0, start.stderr);
    assert.deepEqual(lines(await exec(r, name, 'cat /tmp/post-start-order.txt')), [
      'base',
      'mine',
      'config',
      'base',
      'mine',
      'config',
    ]);
  });

  test('frozen lockfile refuses a Feature it does not pin; --update-features follows a moved tag', async () => {
    const file = path.join(folder, '.devcontainer/devcontainer.json');
    const lockFile = path.join(folder, '.devcontainer/devcontainer-lock.json');
    const hello12 = `${registry.host}/devrig-test/hello:1.2`;
    const config = JSON.parse(readFileSync(file, 'utf8'));
    config.features[hello12] = { greeting: 'twelve' };
    writeFileSync(file, JSON.stringify(config, null, 2));
    const lockBefore = readFileSync(lockFile, 'utf8');
    // A config change is applied by a rebuild (as in Dev Containers); frozen, the new Feature is refused.
    const frozen = await r.cli(['rebuild', name, '--frozen-lockfile']);
    assert.notEqual(frozen.code, 0);
    const refused = await get();
    const condition = refused.status.conditions.find((c) => c.type === 'FeaturesReady');
    assert.equal(condition?.reason, 'LockfileMismatch', JSON.stringify(refused.status.conditions));
    assert.match(
      condition?.message ?? '',
      /devcontainer-lock\.json does not match .*hello:1\.2: not in the lockfile/,
    );
    assert.equal(readFileSync(lockFile, 'utf8'), lockBefore, 'a frozen lockfile is never written');

    // The tag moves: `rebuild --update-features` follows it (and pins the new Feature).
    const moved = tempDir('devrig-features-moved-');
    cpSync(path.join(FIXTURES, 'with-deps'), moved, { recursive: true });
    writeFileSync(
      path.join(moved, 'install.sh'),
      '#!/bin/sh\nset -e\necho with-deps-v2 >> /usr/local/share/feature-install-order\n',
    );
    const published = await publishFeature(registry, moved, 'devrig-test/with-deps', { tags: ['1'] });
    assert.notEqual(JSON.parse(lockBefore).features[withDeps].integrity, published.manifestDigest);
    const rebuild = await r.cli(['rebuild', name, '--update-features']);
    assert.equal(rebuild.code, 0, rebuild.stderr + rebuild.stdout);
    const updated = JSON.parse(readFileSync(lockFile, 'utf8'));
    assert.ok(updated.features[hello12], JSON.stringify(updated));
    assert.equal((await get()).spec.features?.frozenLockfile, undefined, 'no longer frozen');
    assert.equal(updated.features[withDeps].integrity, published.manifestDigest);
    assert.match(await exec(r, name, 'cat /usr/local/share/feature-install-order'), /^with-deps-v2$/m);
  });

  test('a Feature asking for privileged needs consent, naming the Feature', async () => {
    const privName = 'feat-priv';
    const privFolder = makeProject({ image: BASE_IMAGE, features: { './priv': {} } });
    writeMine(path.join(privFolder, '.devcontainer/priv'), { id: 'priv', privileged: true });
    const refused = await r.cli(['up', privFolder, '--name', privName]);
    assert.notEqual(refused.code, 0);
    const env = (await r.client.call('get', { kind: 'Environment', name: privName })) as Environment;
    const condition = env.status.conditions.find((c) => c.type === 'HostAccessAllowed');
    assert.equal(condition?.reason, 'ConsentRequired', JSON.stringify(env.status.conditions));
    assert.match(condition?.message ?? '', /priv/);
    assert.equal(env.status.containerId, undefined, 'nothing was created');
    // Allowed: the consent is given and the Feature installed (a privileged container cannot start on
    // every test machine, so this does not wait for it to run).
    const allowed = await r.cli(['up', privFolder, '--name', privName, '--allow-privileged', '--no-wait']);
    assert.equal(allowed.code, 0, allowed.stderr + allowed.stdout);
    await watchUntil(
      r.client,
      privName,
      (e) =>
        e.status.conditions.some((c) => c.type === 'HostAccessAllowed' && c.status === 'True') &&
        e.status.conditions.some((c) => c.type === 'FeaturesReady' && c.status === 'True'),
      'consent given and the Feature installed',
      120_000,
    );
    assert.equal((await r.cli(['delete', privName])).code, 0);
  });
});
