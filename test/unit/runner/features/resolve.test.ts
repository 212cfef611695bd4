import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigError, parseDevcontainerText } from '../../../../runner/devcontainer';
import {
  FeatureFetchError,
  FeatureOrderError,
  LockfileError,
  OciError,
  resolveFeatures,
  type FeatureSources,
  type OciClient,
  type ResolveFeaturesInput,
} from '../../../../runner/features';
import { FeatureCache } from '../../../../runner/features/featureCache';
import { sha256Digest } from '../../../../runner/features/ociClient';
import { removeProjects, tempDir } from '../../../helpers/project';
import { tarFolder } from '../../../helpers/registry';

after(removeProjects);

/** A project with a devcontainer.json and local Features (`name` → devcontainer-feature.json object). */
function project(config: object, features: Record<string, object>): { folder: string; configFile: string } {
  const folder = tempDir('devrig-features-resolve-');
  const dot = path.join(folder, '.devcontainer');
  mkdirSync(dot);
  for (const [name, metadata] of Object.entries(features)) {
    mkdirSync(path.join(dot, name));
    writeFileSync(path.join(dot, name, 'devcontainer-feature.json'), JSON.stringify(metadata, null, 2));
    writeFileSync(path.join(dot, name, 'install.sh'), `#!/bin/sh\necho ${name}\n`);
  }
  const configFile = path.join(dot, 'devcontainer.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  return { folder, configFile };
}

/** An in-memory registry: `resource:tag` → manifest, blobs by digest; counts every call. */
class FakeRegistry implements OciClient {
  readonly manifests = new Map<string, Buffer>();
  readonly blobs = new Map<string, Buffer>();
  calls = 0;
  offline = false;

  async publish(resource: string, tag: string, folder: string, metadata: object): Promise<string> {
    const layer = await tarFolder(folder);
    const layerDigest = sha256Digest(layer);
    this.blobs.set(layerDigest, layer);
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        config: { mediaType: 'application/vnd.devcontainers', digest: 'sha256:c', size: 2 },
        layers: [
          {
            mediaType: 'application/vnd.devcontainers.layer.v1+tar',
            digest: layerDigest,
            size: layer.length,
          },
        ],
        annotations: { 'dev.containers.metadata': JSON.stringify(metadata) },
      }),
    );
    const digest = sha256Digest(body);
    this.manifests.set(`${resource}:${tag}`, body);
    this.manifests.set(`${resource}@${digest}`, body);
    return digest;
  }

  async manifest(ref: { registry: string; path: string }, reference: string) {
    this.calls++;
    if (this.offline) throw new OciError(`cannot reach ${ref.registry}`);
    const sep = reference.startsWith('sha256:') ? '@' : ':';
    const body = this.manifests.get(`${ref.registry}/${ref.path}${sep}${reference}`);
    if (!body)
      throw new OciError(`${ref.registry}/${ref.path}${sep}${reference} was not found in the registry`, 404);
    return { digest: sha256Digest(body), manifest: JSON.parse(body.toString()), body };
  }

  async blob(_ref: unknown, digest: string) {
    this.calls++;
    if (this.offline) throw new OciError('offline');
    const blob = this.blobs.get(digest);
    if (!blob) throw new OciError(`no blob ${digest}`, 404);
    return blob;
  }
}

function sources(registry: OciClient, cacheDir: string): FeatureSources {
  return {
    oci: registry,
    http: async () => {
      throw new Error('no tarballs here');
    },
    cache: new FeatureCache(cacheDir),
  };
}

function input(
  p: { configFile: string },
  src: FeatureSources,
  extra: Partial<ResolveFeaturesInput> = {},
): ResolveFeaturesInput {
  const text = readFileSync(p.configFile, 'utf8');
  const parsed = parseDevcontainerText(text, p.configFile);
  const config = parsed.config as {
    features?: Record<string, unknown>;
    overrideFeatureInstallOrder?: string[];
  };
  return {
    features: config.features ?? {},
    ...(config.overrideFeatureInstallOrder
      ? { overrideFeatureInstallOrder: config.overrideFeatureInstallOrder }
      : {}),
    configFile: p.configFile,
    sourceMap: parsed.sourceMap,
    lockfile: 'write',
    sources: src,
    ...extra,
  };
}

const opt = { type: 'string', default: '0' } as const;

test('local Features: dependsOn with their own options, defaults, order, and no lockfile entry', async () => {
  const p = project(
    { image: 'x', features: { './a': { optA: 'a' }, './d': {} } },
    {
      a: { id: 'a', version: '1.0.0', options: { optA: opt }, dependsOn: { './b': { optB: 'from-a' } } },
      b: { id: 'b', options: { optB: opt }, dependsOn: { './c': {} } },
      c: { id: 'c' },
      d: { id: 'd', installsAfter: ['./a'] },
    },
  );
  const set = await resolveFeatures(input(p, sources(new FakeRegistry(), tempDir('devrig-cache-'))));
  assert.deepEqual(
    set.features.map((f) => [f.userId, f.options, f.chain]),
    [
      ['./c', {}, ['./a', './b', './c']],
      ['./b', { optB: 'from-a' }, ['./a', './b']],
      ['./a', { optA: 'a' }, ['./a']],
      ['./d', {}, ['./d']],
    ],
  );
  assert.equal(set.features[2]?.folder, path.join(path.dirname(p.configFile), 'a'));
  assert.match(set.features[2]?.digest ?? '', /^sha256:[0-9a-f]{64}$/);
  // Nothing to pin: no lockfile is made for local Features alone.
  assert.equal(set.lockfile, undefined);
  assert.equal(existsSync(path.join(path.dirname(p.configFile), 'devcontainer-lock.json')), false);
});

test('an unknown option and a bad reference point at devcontainer.json; a cycle names its chain', async () => {
  const unknown = project(
    { image: 'x', features: { './a': { optZ: '1' } } },
    { a: { id: 'a', options: { optA: opt } } },
  );
  await assert.rejects(
    resolveFeatures(input(unknown, sources(new FakeRegistry(), tempDir('c-')))),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(
        e.message,
        `${unknown.configFile}:5:7: "features["./a"].optZ" is not an option of Feature ./a; its options are optA`,
      );
      return true;
    },
  );
  const legacy = project({ image: 'x', features: { node: '18' } }, {});
  await assert.rejects(
    resolveFeatures(input(legacy, sources(new FakeRegistry(), tempDir('c-')))),
    new RegExp(`^${legacy.configFile.replace(/[.]/g, '\\.')}:4:5: "node" is a short Feature id`),
  );
  const cycle = project(
    { image: 'x', features: { './a': {} } },
    { a: { id: 'a', dependsOn: { './b': {} } }, b: { id: 'b', dependsOn: { './a': {} } } },
  );
  await assert.rejects(
    resolveFeatures(input(cycle, sources(new FakeRegistry(), tempDir('c-')))),
    (e: unknown) => e instanceof FeatureOrderError && /cycle: \.\/a → \.\/b → \.\/a/.test(e.message),
  );
  const badDep = project(
    { image: 'x', features: { './a': {} } },
    { a: { id: 'a', dependsOn: { './b': { nope: true } } }, b: { id: 'b' } },
  );
  await assert.rejects(
    resolveFeatures(input(badDep, sources(new FakeRegistry(), tempDir('c-')))),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(
        e.message,
        /a\/devcontainer-feature\.json:\d+:\d+: "dependsOn\["\.\/b"\]\.nope" is not an option of Feature \.\/b/,
      );
      return true;
    },
  );
});

test('OCI Features: the lockfile pins digests; a moved tag is not followed; update moves; frozen refuses', async () => {
  const registry = new FakeRegistry();
  const featureDir = tempDir('devrig-oci-feature-');
  writeFileSync(path.join(featureDir, 'install.sh'), '#!/bin/sh\n');
  const v1 = await registry.publish('reg.example/ns/tool', '1', featureDir, { id: 'tool', version: '1.0.0' });
  const p = project({ image: 'x', features: { 'reg.example/ns/tool:1': {} } }, {});
  const cache = tempDir('devrig-cache-');
  const first = await resolveFeatures(input(p, sources(registry, cache)));
  assert.equal(first.features[0]?.digest, v1);
  assert.equal(first.features[0]?.resolved, `reg.example/ns/tool@${v1}`);
  assert.equal(first.lockfile?.written, true);
  const lockFile = path.join(path.dirname(p.configFile), 'devcontainer-lock.json');
  assert.deepEqual(JSON.parse(readFileSync(lockFile, 'utf8')), {
    features: {
      'reg.example/ns/tool:1': { version: '1.0.0', resolved: `reg.example/ns/tool@${v1}`, integrity: v1 },
    },
  });

  // Everything cached and pinned: no network at all.
  registry.offline = true;
  const offline = await resolveFeatures(input(p, sources(registry, cache)));
  assert.equal(offline.features[0]?.digest, v1);
  assert.equal(offline.lockfile?.written, false);
  registry.offline = false;

  // The tag moves: the lockfile's digest is still used.
  writeFileSync(path.join(featureDir, 'install.sh'), '#!/bin/sh\necho v2\n');
  const v2 = await registry.publish('reg.example/ns/tool', '1', featureDir, { id: 'tool', version: '1.0.1' });
  assert.equal((await resolveFeatures(input(p, sources(registry, cache)))).features[0]?.digest, v1);
  assert.equal(
    (await resolveFeatures(input(p, sources(registry, cache), { lockfile: 'frozen' }))).features[0]?.digest,
    v1,
  );

  // Update: follows the tag and rewrites the lockfile.
  const updated = await resolveFeatures(input(p, sources(registry, cache), { lockfile: 'update' }));
  assert.equal(updated.features[0]?.digest, v2);
  assert.equal(updated.lockfile?.written, true);
  assert.equal(JSON.parse(readFileSync(lockFile, 'utf8')).features['reg.example/ns/tool:1'].integrity, v2);

  // A Feature added while frozen: refused, the lockfile untouched.
  const before = readFileSync(lockFile, 'utf8');
  const other = await registry.publish('reg.example/ns/other', '1', featureDir, { id: 'other' });
  writeFileSync(
    p.configFile,
    JSON.stringify({ image: 'x', features: { 'reg.example/ns/tool:1': {}, 'reg.example/ns/other:1': {} } }),
  );
  await assert.rejects(
    resolveFeatures(input(p, sources(registry, cache), { lockfile: 'frozen' })),
    (e: unknown) =>
      e instanceof LockfileError &&
      e.message.includes(`reg.example/ns/other:1: not in the lockfile (would pin ${other})`),
  );
  assert.equal(readFileSync(lockFile, 'utf8'), before);
});

test('a dependency that cannot be fetched names the chain; resolution without a config file writes no lockfile', async () => {
  const registry = new FakeRegistry();
  const featureDir = tempDir('devrig-oci-feature-');
  writeFileSync(path.join(featureDir, 'install.sh'), '#!/bin/sh\n');
  await registry.publish('reg.example/ns/top', '1', featureDir, {
    id: 'top',
    dependsOn: { 'reg.example/ns/gone:1': {} },
  });
  const p = project({ image: 'x', features: { 'reg.example/ns/top:1': {} } }, {});
  await assert.rejects(resolveFeatures(input(p, sources(registry, tempDir('c-')))), (e: unknown) => {
    assert.ok(e instanceof FeatureFetchError);
    assert.equal(
      e.message,
      'reg.example/ns/gone:1 was not found in the registry (required by reg.example/ns/top:1)',
    );
    return true;
  });
  await registry.publish('reg.example/ns/gone', '1', featureDir, { id: 'gone' });
  const inline = await resolveFeatures({
    ...input(p, sources(registry, tempDir('c-'))),
    configFile: undefined,
    configName: '(inline)',
  });
  assert.deepEqual(
    inline.features.map((f) => f.userId),
    ['reg.example/ns/gone:1', 'reg.example/ns/top:1'],
  );
  assert.equal(inline.lockfile, undefined);
});

test('features and overrideFeatureInstallOrder of the wrong shape, and deprecated or renamed Features, are reported', async () => {
  const arrayFeatures = project({ image: 'x', features: ['./a'] }, {});
  await assert.rejects(
    resolveFeatures(input(arrayFeatures, sources(new FakeRegistry(), tempDir('c-')))),
    new RegExp(`^${arrayFeatures.configFile.replace(/[.]/g, '\\.')}:3:15: "features" must be an object`),
  );
  const badOrder = project({ image: 'x', features: {}, overrideFeatureInstallOrder: './a' }, {});
  await assert.rejects(
    resolveFeatures(
      input(badOrder, sources(new FakeRegistry(), tempDir('c-')), {
        overrideFeatureInstallOrder: './a' as never,
      }),
    ),
    /"overrideFeatureInstallOrder" must be an array of Feature references/,
  );
  const old = project(
    { image: 'x', features: { './a': {} }, overrideFeatureInstallOrder: ['./nothing'] },
    { a: { id: 'a', deprecated: true, currentId: 'b', legacyIds: ['a'] } },
  );
  const set = await resolveFeatures(input(old, sources(new FakeRegistry(), tempDir('c-'))));
  assert.deepEqual(
    set.warnings.map((w) => [w.property, w.line, w.message]),
    [
      ['features["./a"]', 4, 'Feature ./a is deprecated and gets no more updates'],
      ['features["./a"]', 4, 'Feature ./a was renamed to "b"; update the reference'],
      [
        'overrideFeatureInstallOrder[0]',
        7,
        '"./nothing" names none of the Features in use; it has no effect',
      ],
    ],
  );
});
