import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FeatureRefError, parseFeatureRef, withoutVersion } from '../../../../runner/features';
import { localFeatureRoot } from '../../../../runner/features/featureRef';

const CONFIG = '/work/app/.devcontainer/devcontainer.json';

function refusal(userId: string, config: string | null = CONFIG): string {
  try {
    parseFeatureRef(userId, config ?? undefined);
  } catch (error) {
    assert.ok(error instanceof FeatureRefError, String(error));
    return error.message;
  }
  assert.fail(`${userId} was accepted`);
}

test('OCI references: registry, namespace, id, tag or digest, as the reference parses them', () => {
  assert.deepEqual(parseFeatureRef('ghcr.io/devcontainers/features/node:1', CONFIG), {
    kind: 'oci',
    userId: 'ghcr.io/devcontainers/features/node:1',
    registry: 'ghcr.io',
    namespace: 'devcontainers/features',
    id: 'node',
    path: 'devcontainers/features/node',
    resource: 'ghcr.io/devcontainers/features/node',
    tag: '1',
    scheme: 'https',
  });
  const latest = parseFeatureRef('ghcr.io/owner/features/Go', CONFIG);
  assert.equal(latest.kind === 'oci' && latest.tag, 'latest');
  assert.equal(latest.kind === 'oci' && latest.id, 'go');
  const digest = `sha256:${'a'.repeat(64)}`;
  const pinned = parseFeatureRef(`localhost:5000/ns/x@${digest}`, CONFIG);
  assert.equal(pinned.kind === 'oci' && pinned.digest, digest);
  assert.equal(pinned.kind === 'oci' && pinned.tag, undefined);
  assert.equal(pinned.kind === 'oci' && pinned.scheme, 'http', 'plain http for localhost only');
  const loopbackIp = parseFeatureRef('127.0.0.1:5000/ns/x:1', CONFIG);
  assert.equal(
    loopbackIp.kind === 'oci' && loopbackIp.scheme,
    'https',
    'as the reference: only the name localhost',
  );
  const contrib = parseFeatureRef('ghcr.io/devcontainers-contrib/features/pnpm:2', CONFIG);
  assert.equal(contrib.kind === 'oci' && contrib.path, 'devcontainers-extra/features/pnpm');
  assert.equal(contrib.kind === 'oci' && contrib.resource, 'ghcr.io/devcontainers-contrib/features/pnpm');
});

test('bad OCI references are refused with what is wrong', () => {
  assert.match(refusal('ghcr.io/x/y@sha256:abc'), /sha256:<64 hex digits>/);
  assert.match(refusal('ghcr.io/x/y:b@d'), /digest/);
  assert.match(refusal('ghcr.io/only-id'), /registry, a namespace and an id/);
  assert.match(refusal('ghcr.io/x/Bad_Path__/y'), /not a valid repository path/);
});

test('tarball URLs: https (http only from loopback), named devcontainer-feature-<id>.tgz', () => {
  assert.deepEqual(parseFeatureRef('https://example.com/r/devcontainer-feature-color.tgz', CONFIG), {
    kind: 'tarball',
    userId: 'https://example.com/r/devcontainer-feature-color.tgz',
    url: 'https://example.com/r/devcontainer-feature-color.tgz',
    id: 'color',
  });
  const local = parseFeatureRef('http://127.0.0.1:8080/devcontainer-feature-x.tgz', CONFIG);
  assert.equal(local.kind, 'tarball');
  assert.match(refusal('http://example.com/devcontainer-feature-x.tgz'), /over https/);
  assert.match(refusal('https://example.com/feature.tgz'), /devcontainer-feature-<id>\.tgz/);
});

test('local folders are relative to devcontainer.json and stay inside .devcontainer', () => {
  assert.deepEqual(parseFeatureRef('./hello', CONFIG), {
    kind: 'local',
    userId: './hello',
    folder: '/work/app/.devcontainer/hello',
    id: 'hello',
  });
  const sibling = parseFeatureRef('../shared/x', '/work/app/.devcontainer/one/devcontainer.json');
  assert.equal(sibling.kind === 'local' && sibling.folder, '/work/app/.devcontainer/shared/x');
  assert.match(refusal('../outside'), /must be inside \/work\/app\/\.devcontainer/);
  assert.match(refusal('/abs/feature'), /absolute paths are not allowed/);
  assert.match(refusal('./x', null), /needs a devcontainer\.json file/);
  assert.equal(localFeatureRoot('/work/app/.devcontainer.json'), '/work/app');
  const rootConfig = parseFeatureRef('./features/x', '/work/app/.devcontainer.json');
  assert.equal(rootConfig.kind === 'local' && rootConfig.folder, '/work/app/features/x');
});

test('retired short ids and GitHub-release references name the modern form', () => {
  assert.equal(
    refusal('node'),
    '"node" is a short Feature id of the retired vscode-dev-containers Features, which devrig does not support; use "ghcr.io/devcontainers/features/node:1"',
  );
  assert.match(refusal('golang'), /"ghcr\.io\/devcontainers\/features\/go:1"/);
  assert.match(
    refusal('maven'),
    /"ghcr\.io\/devcontainers\/features\/java:1" with the options \{ "installMaven": true \}/,
  );
  assert.match(
    refusal('nonsense'),
    /not a Feature reference: use an OCI reference.*or a local folder \("\.\/nonsense"\)/,
  );
  assert.equal(
    refusal('devcontainers/features/go@v1.0.0'),
    '"devcontainers/features/go@v1.0.0" is a GitHub-release Feature reference (owner/repo/id@tag), a form the Features spec retired and devrig does not support; use the Feature\'s OCI reference, e.g. "ghcr.io/devcontainers/features/go:1.0.0"',
  );
  assert.match(refusal('owner/repo/feature'), /e\.g\. "ghcr\.io\/owner\/repo\/feature:latest"/);
});

test('withoutVersion drops the tag or digest only', () => {
  assert.equal(withoutVersion('ghcr.io/a/b/c:1'), 'ghcr.io/a/b/c');
  assert.equal(withoutVersion(`localhost:5000/a/b@sha256:${'0'.repeat(64)}`), 'localhost:5000/a/b');
  assert.equal(withoutVersion('localhost:5000/a/b'), 'localhost:5000/a/b');
  assert.equal(withoutVersion('./local'), './local');
});
