// The Feature image, built by the real engine through DockerProvider's build path, then run with docker
// to see that the tools, files and variables are there.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { NO_SOURCE_MAP } from '../../runner/devcontainer/sourceMap';
import {
  buildFeatureImage,
  configMetadataEntry,
  createFeatureSources,
  FeatureInstallError,
  featureImageBuild,
  resolveFeatures,
} from '../../runner/features';
import { DockerProvider } from '../../runner/providers/docker/dockerProvider';
import type { ImageResult } from '../../runner/providers/provider';
import { BASE_IMAGE, docker, requireDocker } from '../helpers/docker';
import { removeProjects, tempDir } from '../helpers/project';
import { publishFeature, startRegistry, type TestRegistry } from '../helpers/registry';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/features');
const TEST_LABEL = 'devrig.test';
const TEST_VALUE = `features-build-${process.pid}`;
const provider = new DockerProvider();

/** A project whose .devcontainer holds copies of the named fixture Features (`as` → fixture). */
function project(config: object, locals: Record<string, string> = {}): string {
  const folder = tempDir('devrig-features-build-');
  const dot = path.join(folder, '.devcontainer');
  mkdirSync(dot);
  for (const [as, fixture] of Object.entries(locals))
    cpSync(path.join(FIXTURES, fixture), path.join(dot, as), { recursive: true });
  const configFile = path.join(dot, 'devcontainer.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  return configFile;
}

async function featureImage(configFile: string, base: ImageResult, cacheDir: string, lines: string[] = []) {
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
  const set = await resolveFeatures({
    features: config['features'] as Record<string, unknown>,
    configFile,
    sourceMap: NO_SOURCE_MAP,
    lockfile: 'write',
    sources: createFeatureSources({ cacheDir, env: {} }),
  });
  const { plan, merged } = featureImageBuild({
    base,
    features: set.features,
    config: configMetadataEntry(config),
    labels: { [TEST_LABEL]: TEST_VALUE },
  });
  const image = await buildFeatureImage(provider, plan, tempDir('devrig-features-work-'), (l) =>
    lines.push(l),
  );
  return { set, plan, merged, image, lines };
}

/** Runs `script` in a throwaway container of `image` (as its user); stdout. */
async function runIn(image: string, script: string, user?: string): Promise<string> {
  const container = await docker.createContainer({
    Image: image,
    Cmd: ['/bin/sh', '-c', script],
    Labels: { [TEST_LABEL]: TEST_VALUE },
    ...(user ? { User: user } : {}),
  });
  try {
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    // Docker's multiplexed stream: 8-byte frame headers before each chunk.
    const all = Buffer.concat(chunks);
    let out = '';
    for (let i = 0; i + 8 <= all.length;) {
      const size = all.readUInt32BE(i + 4);
      out += all.subarray(i + 8, i + 8 + size).toString();
      i += 8 + size;
    }
    assert.equal(StatusCode, 0, `${script} failed: ${out}`);
    return out;
  } finally {
    await container.remove({ force: true });
  }
}

describe('the Feature image', () => {
  let registry: TestRegistry;
  let base: ImageResult;
  const baseTag = `devrig-features-test-base:${process.pid}`;

  before(async () => {
    await requireDocker();
    registry = await startRegistry();
    for (const name of ['hello', 'with-deps', 'apt-package']) {
      await publishFeature(registry, path.join(FIXTURES, name), `devrig-test/${name}`);
    }
    // A base image like the devcontainers family's: a non-root user and a metadata label (object form).
    const context = tempDir('devrig-features-base-');
    const label = JSON.stringify({
      remoteUser: 'vscode',
      containerEnv: { FROM_BASE: 'yes' },
      postStartCommand: 'echo base-start',
    });
    writeFileSync(
      path.join(context, 'Dockerfile'),
      `FROM ${BASE_IMAGE}\nRUN id vscode || useradd -m -s /bin/bash vscode\nLABEL devcontainer.metadata='${label}'\n`,
    );
    base = await provider.ensureImage(
      {
        kind: 'build',
        tag: baseTag,
        context,
        dockerfile: path.join(context, 'Dockerfile'),
        args: {},
        labels: { [TEST_LABEL]: TEST_VALUE },
      },
      () => {},
    );
  });

  after(async () => {
    await registry?.stop();
    const images = await docker.listImages({ filters: { label: [`${TEST_LABEL}=${TEST_VALUE}`] } });
    // Newest first: derived images go before the base they were built on.
    for (const image of images.sort((a, b) => b.Created - a.Created)) {
      await docker
        .getImage(image.Id)
        .remove({ force: true })
        .catch(() => {});
    }
    removeProjects();
  });

  test('local and registry Features install in order as root, with their options, users, env and label', async () => {
    const configFile = project(
      {
        image: baseTag,
        features: {
          './hello': { greeting: 'hey', loud: true },
          [`${registry.host}/devrig-test/with-deps:1`]: {},
          [`${registry.host}/devrig-test/apt-package:1.2`]: { package: 'jq' },
        },
        postCreateCommand: 'echo config-post-create',
      },
      { hello: 'hello' },
    );
    const { set, merged, image, lines } = await featureImage(
      configFile,
      base,
      tempDir('devrig-features-cache-'),
    );
    assert.deepEqual(
      set.features.map((f) => f.userId),
      [
        './hello',
        `${registry.host}/devrig-test/apt-package:1.2`,
        `${registry.host}/devrig-test/hello:1`,
        `${registry.host}/devrig-test/with-deps:1`,
      ],
    );
    assert.equal(image.action, 'built');
    for (const [i, f] of set.features.entries())
      assert.ok(lines.includes(`Installing Feature ${f.userId} (${i + 1}/4)`), f.userId);
    assert.ok(
      lines.some((l) => l.includes('Feature       : Hello')),
      'the reference banner',
    );

    const report = await runIn(
      image.id,
      'cat /usr/local/share/hello/install-env; jq --version; hello; cat /usr/local/share/with-deps.txt; echo "HELLO_HOME=$HELLO_HOME"; id -un',
    );
    const seen = Object.fromEntries(
      report
        .trim()
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => l.split('=', 2) as [string, string]),
    );
    // The registry hello ran last of the two hellos: its options are what the file holds.
    assert.deepEqual(seen, {
      _REMOTE_USER: 'vscode',
      _CONTAINER_USER: 'root',
      _REMOTE_USER_HOME: '/home/vscode',
      _CONTAINER_USER_HOME: '/root',
      GREETING: 'hi from with-deps',
      FLAVOR: 'vanilla',
      LOUD: 'false',
      user: 'root',
      HELLO_HOME: '/usr/local/share/hello',
    });
    assert.match(report, /^jq-1\.\d/m, 'the apt Feature installed jq from Debian');
    assert.match(
      report,
      /^hi from with-deps from the vanilla hello Feature$/m,
      'containerEnv PATH reaches the hello command',
    );
    assert.match(report, /^root$/m, "the image's user is restored (root here)");

    const inspected = await docker.getImage(image.id).inspect();
    const label = JSON.parse(inspected.Config.Labels['devcontainer.metadata'] ?? 'null') as Record<
      string,
      unknown
    >[];
    assert.ok(Array.isArray(label), 'always a JSON array');
    assert.deepEqual(
      label.map((e) => e['id'] ?? null),
      [null, ...set.features.map((f) => f.userId), null],
    );
    assert.equal(label[0]?.['remoteUser'], 'vscode');
    assert.deepEqual(label[3]?.['postCreateCommand'], 'hello > /tmp/hello-post-create.txt');
    assert.deepEqual(label[5], { postCreateCommand: 'echo config-post-create' });
    assert.equal(merged.remoteUser, 'vscode');
    assert.deepEqual(merged.containerEnv, { FROM_BASE: 'yes' });
    assert.deepEqual(
      merged.lifecycle.postCreateCommand.map((s) => s.origin),
      [
        './hello',
        `${registry.host}/devrig-test/hello:1`,
        `${registry.host}/devrig-test/with-deps:1`,
        'devcontainer.json',
      ],
    );
    assert.deepEqual(
      merged.lifecycle.postStartCommand.map((s) => s.origin),
      [baseTag],
    );

    const again = await featureImage(configFile, base, tempDir('devrig-features-cache-'));
    assert.equal(again.image.action, 'present', 'an unchanged set is never rebuilt');
    assert.equal(again.image.id, image.id);
  });

  test("one Feature's options changed: only its layer and later ones are rebuilt", async () => {
    const config = (greeting: string) => ({
      image: baseTag,
      features: { './a-hello': { greeting: 'first' }, './b-hello': { greeting } },
    });
    const configFile = project(config('one'), { 'a-hello': 'hello', 'b-hello': 'hello' });
    const cacheDir = tempDir('devrig-features-cache-');
    const first = await featureImage(configFile, base, cacheDir);
    writeFileSync(configFile, JSON.stringify(config('two')));
    const second = await featureImage(configFile, base, cacheDir);
    assert.equal(second.image.action, 'built');
    assert.notEqual(second.image.id, first.image.id);
    assert.ok(second.lines.includes('Feature ./a-hello: layer reused from the cache'));
    assert.ok(!second.lines.includes('Feature ./b-hello: layer reused from the cache'));
    const layers = async (id: string) => (await docker.getImage(id).inspect()).RootFS.Layers ?? [];
    const [before, now, baseLayers] = await Promise.all([
      layers(first.image.id),
      layers(second.image.id),
      layers(base.id),
    ]);
    let shared = 0;
    while (shared < now.length && now[shared] === before[shared]) shared++;
    // Base, the users' homes (COPY + RUN), ./a-hello (COPY + RUN): shared; ./b-hello's COPY differs.
    assert.equal(shared, baseLayers.length + 4);
    assert.equal(now.length, before.length);
    assert.match(await runIn(second.image.id, 'hello'), /^two from the vanilla hello Feature$/m);
  });

  test('a failing install.sh names the Feature, its exit code and output; fixed, the next build succeeds', async () => {
    // Local Features in one round go by path: ./a-hello, then ./fails.
    const configFile = project(
      { image: baseTag, features: { './fails': {}, './a-hello': {} } },
      { 'a-hello': 'hello', fails: 'fails' },
    );
    const lines: string[] = [];
    const failed = await featureImage(configFile, base, tempDir('devrig-features-cache-'), lines).then(
      () => assert.fail('the build should fail'),
      (e: unknown) => e,
    );
    assert.ok(failed instanceof FeatureInstallError, String(failed));
    assert.equal(failed.userId, './fails');
    assert.equal(failed.exitCode, 7);
    assert.ok(failed.tail.includes('about to fail'));
    assert.ok(failed.tail.includes('something went wrong in the fails Feature'));
    assert.ok(failed.tail.some((l) => l.startsWith('ERROR: Feature "Fails" (./fails) failed to install!')));
    assert.match(
      failed.message,
      /^Feature \.\/fails failed to install \(exit code 7\): .*something went wrong in the fails Feature/,
    );
    assert.ok(lines.includes('Installing Feature ./fails (2/2)'));

    writeFileSync(path.join(path.dirname(configFile), 'fails', 'install.sh'), '#!/bin/sh\necho fixed\n');
    const fixed = await featureImage(configFile, base, tempDir('devrig-features-cache-'));
    assert.equal(fixed.image.action, 'built');
  });
});
