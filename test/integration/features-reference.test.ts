// devrig against the reference implementation (@devcontainers/cli) on the same configs, with local and
// loopback-registry Features and no internet: the same install order, the same _REMOTE_USER /
// _CONTAINER_USER (and homes), the same image label, the same merged remoteUser and hook order.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parseDevcontainerText } from '../../runner/devcontainer';
import { normalizeLifecycleCommand } from '../../runner/devcontainer/lifecycle';
import {
  buildFeatureImage,
  configMetadataEntry,
  createFeatureSources,
  featureImageBuild,
  resolveFeatures,
} from '../../runner/features';
import { DockerProvider } from '../../runner/providers/docker/dockerProvider';
import type { ImageResult } from '../../runner/providers/provider';
import { BASE_IMAGE, docker, requireDocker } from '../helpers/docker';
import { removeProjects, tempDir } from '../helpers/project';
import { publishFeature, startRegistry, type TestRegistry } from '../helpers/registry';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const DEVCONTAINER = path.join(ROOT, 'node_modules/.bin/devcontainer');
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/features');
const TEST_LABEL = 'devrig.test';
const TEST_VALUE = `features-reference-${process.pid}`;
const provider = new DockerProvider();

type Project = { folder: string; configFile: string };

/** A project: .devcontainer/devcontainer.json, generated local Features (name → metadata), fixture copies. */
function project(
  config: object,
  generated: Record<string, object> = {},
  fixtures: Record<string, string> = {},
): Project {
  const folder = tempDir('devrig-features-ref-');
  const dot = path.join(folder, '.devcontainer');
  mkdirSync(dot);
  for (const [name, metadata] of Object.entries(generated))
    writeFeature(path.join(dot, name), { id: name, ...metadata });
  for (const [as, fixture] of Object.entries(fixtures))
    cpSync(path.join(FIXTURES, fixture), path.join(dot, as), { recursive: true });
  const configFile = path.join(dot, 'devcontainer.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  return { folder, configFile };
}

function writeFeature(folder: string, metadata: object & { id: string }): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    path.join(folder, 'devcontainer-feature.json'),
    JSON.stringify({ version: '1.0.0', ...metadata }, null, 2),
  );
  writeFileSync(
    path.join(folder, 'install.sh'),
    `#!/bin/sh\necho ${metadata.id} >> /usr/local/share/feature-install-order\n`,
    { mode: 0o755 },
  );
}

async function devrigSet(p: Project) {
  const parsed = parseDevcontainerText(readFileSync(p.configFile, 'utf8'), p.configFile);
  const config = parsed.config as {
    features?: Record<string, unknown>;
    overrideFeatureInstallOrder?: string[];
  };
  return resolveFeatures({
    features: config.features ?? {},
    ...(config.overrideFeatureInstallOrder
      ? { overrideFeatureInstallOrder: config.overrideFeatureInstallOrder }
      : {}),
    configFile: p.configFile,
    sourceMap: parsed.sourceMap,
    lockfile: 'none',
    sources: createFeatureSources({ cacheDir: tempDir('devrig-features-cache-'), env: {} }),
  });
}

/** `devcontainer features resolve-dependencies`: its installOrder ({ id, options }). */
async function referenceOrder(p: Project): Promise<{ id: string; options: unknown }[]> {
  const { stdout } = await run(
    DEVCONTAINER,
    ['features', 'resolve-dependencies', '--workspace-folder', p.folder],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  // A mermaid flowchart first, then the JSON.
  return (
    JSON.parse(stdout.slice(stdout.indexOf('\n{') + 1)) as {
      installOrder: { id: string; options: unknown }[];
    }
  ).installOrder;
}

async function output(image: string, script: string): Promise<string> {
  const { stdout } = await run('docker', [
    'run',
    '--rm',
    '--label',
    `${TEST_LABEL}=${TEST_VALUE}`,
    '--entrypoint',
    '/bin/sh',
    image,
    '-c',
    script,
  ]);
  return stdout;
}

describe('Features: devrig and the reference CLI agree', () => {
  let registry: TestRegistry;
  let host: string;

  before(async () => {
    await requireDocker();
    registry = await startRegistry();
    host = registry.host;
    for (const name of ['hello', 'with-deps', 'apt-package']) {
      await publishFeature(registry, path.join(FIXTURES, name), `devrig-test/${name}`);
    }
    const generated: Record<string, object> = {
      common: { options: { level: { type: 'string', default: 'basic' } } },
      tool: { installsAfter: [`${host}/devrig-test/common`] },
      'needs-common': { dependsOn: { [`${host}/devrig-test/common:1`]: { level: 'deep' } } },
      zeta: {},
    };
    for (const [name, metadata] of Object.entries(generated)) {
      const folder = tempDir(`devrig-feature-${name}-`);
      writeFeature(folder, { id: name, ...metadata });
      await publishFeature(registry, folder, `devrig-test/${name}`);
    }
  });

  after(async () => {
    await registry?.stop();
    const images = await docker.listImages({ filters: { label: [`${TEST_LABEL}=${TEST_VALUE}`] } });
    for (const image of images.sort((a, b) => b.Created - a.Created)) {
      await docker
        .getImage(image.Id)
        .remove({ force: true })
        .catch(() => {});
    }
    removeProjects();
  });

  test('install order, on local and registry configs, is the order of `devcontainer features resolve-dependencies`', async () => {
    const configs: [string, Project][] = [
      [
        'local dependsOn with options of their own',
        project(
          {
            image: 'x',
            features: { './a': { optA: 'a', optB: 'b' }, './b': { optA: 'a', optB: 'b' }, './e': {} },
          },
          {
            a: {
              dependsOn: { './b': { optA: 'a', optB: 'a' }, './c': {} },
              options: { optA: { type: 'string', default: '0' }, optB: { type: 'string', default: '0' } },
            },
            b: {
              options: { optA: { type: 'string', default: '0' }, optB: { type: 'string', default: '0' } },
            },
            c: { dependsOn: { './d': {} } },
            d: {},
            e: { installsAfter: ['./a'] },
          },
        ),
      ],
      [
        'installsAfter and overrideFeatureInstallOrder (round priority)',
        project(
          {
            image: 'x',
            features: { './w': {}, './x': {}, './y': {}, './z': {} },
            overrideFeatureInstallOrder: ['./z', './y'],
          },
          { w: { dependsOn: { './x': {} } }, x: {}, y: { installsAfter: ['./x'] }, z: {} },
        ),
      ],
      [
        'registry Features: dependsOn, installsAfter, tags, mixed with local',
        project(
          {
            image: 'x',
            features: {
              [`${host}/devrig-test/with-deps:1`]: {},
              [`${host}/devrig-test/hello:1.2`]: { greeting: 'direct' },
              [`${host}/devrig-test/tool:1`]: {},
              [`${host}/devrig-test/needs-common:1`]: {},
              [`${host}/devrig-test/zeta`]: {},
              './local-a': {},
            },
          },
          { 'local-a': {} },
        ),
      ],
      [
        'registry Features with an override and the same Feature under two tags',
        project({
          image: 'x',
          features: {
            [`${host}/devrig-test/apt-package:1`]: 'jq',
            [`${host}/devrig-test/tool:latest`]: {},
            [`${host}/devrig-test/common:1.0`]: { level: 'one' },
            [`${host}/devrig-test/common:1`]: { level: 'two' },
          },
          overrideFeatureInstallOrder: [`${host}/devrig-test/tool`, `${host}/devrig-test/apt-package`],
        }),
      ],
    ];
    for (const [what, p] of configs) {
      const reference = await referenceOrder(p);
      const devrig = (await devrigSet(p)).features.map((f) => ({
        id: f.ref.kind === 'oci' ? f.resolved : f.userId,
        options: JSON.parse(JSON.stringify(f.written)) as unknown,
      }));
      assert.deepEqual(devrig, reference, what);
    }
  });

  test('the Feature image: same users and homes, same install order, same label; same merged remoteUser and hooks', async () => {
    // A base like the devcontainers images: a non-root user and a metadata label with remoteUser and hooks.
    const baseTag = `devrig-features-ref-base:${process.pid}`;
    const context = tempDir('devrig-features-ref-base-');
    const label = JSON.stringify([
      { remoteUser: 'vscode', containerEnv: { FROM_BASE: 'yes' }, postStartCommand: 'echo base-start' },
    ]);
    writeFileSync(
      path.join(context, 'Dockerfile'),
      `FROM ${BASE_IMAGE}\nRUN id vscode || useradd -m vscode\nLABEL devcontainer.metadata='${label}'\n`,
    );
    const base: ImageResult = await provider.ensureImage(
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
    const config = {
      image: baseTag,
      features: { './hello': { greeting: 'hey', loud: true }, [`${host}/devrig-test/with-deps:1`]: {} },
      containerUser: 'root',
      postCreateCommand: 'echo config-create',
      postStartCommand: ['echo', 'config-start'],
    };
    const p = project(config, {}, { hello: 'hello' });

    const referenceTag = `devrig-features-ref-built:${process.pid}`;
    await run(
      DEVCONTAINER,
      [
        'build',
        '--workspace-folder',
        p.folder,
        '--image-name',
        referenceTag,
        '--label',
        `${TEST_LABEL}=${TEST_VALUE}`,
      ],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const set = await devrigSet(p);
    const { plan, merged } = featureImageBuild({
      base,
      features: set.features,
      config: configMetadataEntry(config),
      labels: { [TEST_LABEL]: TEST_VALUE },
    });
    const built = await buildFeatureImage(provider, plan, tempDir('devrig-features-work-'), () => {});

    const script = 'cat /usr/local/share/hello/install-env /usr/local/share/feature-install-order';
    const [ours, theirs] = await Promise.all([output(built.id, script), output(referenceTag, script)]);
    assert.equal(ours, theirs);
    assert.match(ours, /^_REMOTE_USER=vscode$/m);
    assert.match(ours, /^_REMOTE_USER_HOME=\/home\/vscode$/m);
    assert.match(ours, /^_CONTAINER_USER=root$/m);
    assert.match(ours, /hello hey\nhello hi from with-deps\nwith-deps\n$/);

    const labelOf = async (image: string) =>
      JSON.parse(
        (await docker.getImage(image).inspect()).Config.Labels['devcontainer.metadata'] ?? 'null',
      ) as unknown;
    assert.deepEqual(await labelOf(built.id), await labelOf(referenceTag));

    const { stdout } = await run(
      DEVCONTAINER,
      ['read-configuration', '--workspace-folder', p.folder, '--include-merged-configuration'],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const reference = (JSON.parse(stdout) as { mergedConfiguration: Record<string, unknown> })
      .mergedConfiguration;
    assert.equal(merged.remoteUser, reference['remoteUser']);
    assert.equal(merged.containerUser, reference['containerUser']);
    assert.deepEqual(merged.containerEnv, reference['containerEnv']);
    for (const hook of ['postCreateCommand', 'postStartCommand'] as const) {
      const theirs = (reference[`${hook}s`] as unknown[]).map((value) =>
        normalizeLifecycleCommand(hook, value as never),
      );
      assert.deepEqual(
        merged.lifecycle[hook].map((step) => step.commands),
        theirs,
        hook,
      );
    }
  });
});
