// Features from a real registry (Debian's docker-registry on loopback): anonymous, basic auth, the
// token flow ghcr.io uses, proxies, the cache and the lockfile; and a tarball from a loopback server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createSign, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { NO_SOURCE_MAP } from '../../runner/devcontainer/sourceMap';
import {
  createFeatureSources,
  FeatureFetchError,
  LockfileError,
  resolveFeatures,
  type FeatureSourcesOptions,
  type LockfileMode,
} from '../../runner/features';
import { removeProjects, tempDir } from '../helpers/project';
import { publishFeature, startRegistry, tarFolder, type TestRegistry } from '../helpers/registry';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/features');

after(removeProjects);

/** A project folder with a .devcontainer/devcontainer.json naming `features`. */
function project(features: Record<string, unknown>): string {
  const folder = tempDir('devrig-features-reg-');
  mkdirSync(path.join(folder, '.devcontainer'));
  const configFile = path.join(folder, '.devcontainer', 'devcontainer.json');
  writeFileSync(configFile, JSON.stringify({ image: 'x', features }, null, 2));
  return configFile;
}

function resolve(
  configFile: string,
  options: Partial<FeatureSourcesOptions> & { cacheDir: string },
  lockfile: LockfileMode = 'write',
) {
  const config = JSON.parse(readFileSync(configFile, 'utf8')) as { features: Record<string, unknown> };
  return resolveFeatures({
    features: config.features,
    configFile,
    sourceMap: NO_SOURCE_MAP,
    lockfile,
    sources: createFeatureSources({ env: {}, ...options }),
  });
}

describe('Features from a registry', () => {
  let registry: TestRegistry;
  before(async () => {
    registry = await startRegistry();
    for (const name of ['hello', 'with-deps']) {
      await publishFeature(registry, path.join(FIXTURES, name), `devrig-test/${name}`);
    }
  });
  after(async () => registry?.stop());

  test('anonymous: dependsOn read from the manifest annotation, layers downloaded once, cached by digest', async () => {
    const cacheDir = tempDir('devrig-features-cache-');
    const logged: string[] = [];
    const configFile = project({ [`${registry.host}/devrig-test/with-deps:1`]: {} });
    const set = await resolve(configFile, { cacheDir, log: (l) => logged.push(l) });
    assert.deepEqual(
      set.features.map((f) => [f.userId, f.version, f.options]),
      [
        [
          `${registry.host}/devrig-test/hello:1`,
          '1.2.0',
          { greeting: 'hi from with-deps', flavor: 'vanilla', loud: false },
        ],
        [`${registry.host}/devrig-test/with-deps:1`, '1.0.0', {}],
      ],
    );
    const hello = set.features[0];
    assert.equal(
      readFileSync(path.join(hello?.folder ?? '', 'install.sh'), 'utf8'),
      readFileSync(path.join(FIXTURES, 'hello/install.sh'), 'utf8'),
    );
    assert.ok(hello?.folder.startsWith(path.join(cacheDir, 'features', 'sha256-')));
    assert.equal(logged.filter((l) => l.startsWith('Downloading')).length, 2);
    assert.equal(readdirSync(path.join(cacheDir, 'manifests')).length, 2);
    // The lockfile pins both, with the dependency's own entry.
    const lock = JSON.parse(
      readFileSync(path.join(path.dirname(configFile), 'devcontainer-lock.json'), 'utf8'),
    );
    assert.deepEqual(Object.keys(lock.features), [
      `${registry.host}/devrig-test/hello:1`,
      `${registry.host}/devrig-test/with-deps:1`,
    ]);
    assert.deepEqual(lock.features[`${registry.host}/devrig-test/with-deps:1`].dependsOn, [
      `${registry.host}/devrig-test/hello:1`,
    ]);
    logged.length = 0;
    await resolve(configFile, { cacheDir, log: (l) => logged.push(l) });
    assert.deepEqual(logged, [], 'pinned and cached: nothing downloaded');
  });

  test('proxies: HTTP_PROXY carries the requests; NO_PROXY bypasses the proxy', async () => {
    const tunnels: string[] = [];
    const sockets = new Set<Socket>();
    const proxy = createServer();
    proxy.on('connect', (req, client: Socket, head) => {
      tunnels.push(req.url ?? '');
      sockets.add(client);
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host === 'localhost' ? '127.0.0.1' : (host ?? ''), () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
    try {
      const configFile = project({ [`${registry.host}/devrig-test/hello:1.2`]: { greeting: 'via proxy' } });
      const set = await resolve(
        configFile,
        { cacheDir: tempDir('devrig-features-cache-'), env: { HTTP_PROXY: proxyUrl } },
        'none',
      );
      assert.equal(set.features[0]?.options['greeting'], 'via proxy');
      assert.ok(tunnels.includes(registry.host), `the proxy carried ${registry.host}: ${tunnels.join(', ')}`);
      tunnels.length = 0;
      await resolve(
        configFile,
        { cacheDir: tempDir('devrig-features-cache-'), env: { HTTP_PROXY: proxyUrl, NO_PROXY: 'localhost' } },
        'none',
      );
      assert.deepEqual(tunnels, []);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => proxy.close(r));
    }
  });

  test('a moved tag is not followed; --update-features moves the lockfile; frozen refuses a mismatch', async () => {
    const feature = tempDir('devrig-moving-');
    cpSync(path.join(FIXTURES, 'hello'), feature, { recursive: true });
    const v1 = await publishFeature(registry, feature, 'devrig-test/moving');
    const configFile = project({ [`${registry.host}/devrig-test/moving:1`]: {} });
    const cacheDir = tempDir('devrig-features-cache-');
    assert.equal((await resolve(configFile, { cacheDir })).features[0]?.digest, v1.manifestDigest);
    const lockFile = path.join(path.dirname(configFile), 'devcontainer-lock.json');
    const pinned = readFileSync(lockFile, 'utf8');

    writeFileSync(path.join(feature, 'install.sh'), '#!/bin/sh\necho moved\n');
    const v2 = await publishFeature(registry, feature, 'devrig-test/moving');
    assert.notEqual(v2.manifestDigest, v1.manifestDigest);
    const again = await resolve(configFile, { cacheDir: tempDir('devrig-features-cache-') });
    assert.equal(
      again.features[0]?.digest,
      v1.manifestDigest,
      'the registry moved the tag; the lockfile did not',
    );
    assert.equal(readFileSync(lockFile, 'utf8'), pinned);

    const updated = await resolve(configFile, { cacheDir }, 'update');
    assert.equal(updated.features[0]?.digest, v2.manifestDigest);
    assert.equal(updated.lockfile?.written, true);
    assert.match(readFileSync(lockFile, 'utf8'), new RegExp(v2.manifestDigest));

    writeFileSync(lockFile, pinned);
    const config = JSON.parse(readFileSync(configFile, 'utf8'));
    config.features[`${registry.host}/devrig-test/hello:1`] = {};
    writeFileSync(configFile, JSON.stringify(config));
    await assert.rejects(resolve(configFile, { cacheDir }, 'frozen'), (e: unknown) => {
      assert.ok(e instanceof LockfileError);
      assert.match(e.message, new RegExp(`${registry.host}/devrig-test/hello:1: not in the lockfile`));
      return true;
    });
    assert.equal(readFileSync(lockFile, 'utf8'), pinned, 'nothing written');
  });

  test('with everything pinned and cached, a resolution needs no registry at all', async () => {
    const own = await startRegistry();
    const configFile = project({ [`${own.host}/devrig-test/hello:1`]: { loud: true } });
    const cacheDir = tempDir('devrig-features-cache-');
    try {
      await publishFeature(own, path.join(FIXTURES, 'hello'), 'devrig-test/hello');
      await resolve(configFile, { cacheDir });
    } finally {
      await own.stop();
    }
    const offline = await resolve(configFile, { cacheDir });
    assert.equal(offline.features[0]?.options['loud'], true);
    assert.ok(existsSync(path.join(offline.features[0]?.folder ?? '', 'install.sh')));
    await assert.rejects(
      resolve(configFile, { cacheDir: tempDir('devrig-features-cache-') }),
      (e: unknown) => {
        assert.ok(e instanceof FeatureFetchError);
        assert.match(
          e.message,
          new RegExp(`devcontainer\\.json: cannot reach http://${own.host}: ECONNREFUSED`),
        );
        return true;
      },
    );
  });
});

describe('Features from a registry with basic auth', () => {
  let registry: TestRegistry;
  before(async () => {
    registry = await startRegistry({ auth: { username: 'dev', password: 's3cret' } });
    await publishFeature(registry, path.join(FIXTURES, 'hello'), 'devrig-test/hello');
  });
  after(async () => registry?.stop());

  test('credentials from DEVCONTAINERS_OCI_AUTH and from a docker config; a wrong password is a clear error', async () => {
    const configFile = project({ [`${registry.host}/devrig-test/hello:1`]: {} });
    const fromEnv = await resolve(
      configFile,
      {
        cacheDir: tempDir('devrig-features-cache-'),
        env: { DEVCONTAINERS_OCI_AUTH: `${registry.host}|dev|s3cret` },
      },
      'none',
    );
    assert.equal(fromEnv.features[0]?.id, 'hello');
    const dockerConfig = tempDir('devrig-docker-config-');
    writeFileSync(
      path.join(dockerConfig, 'config.json'),
      JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from('dev:s3cret').toString('base64') } } }),
    );
    const fromFile = await resolve(
      configFile,
      { cacheDir: tempDir('devrig-features-cache-'), env: { DOCKER_CONFIG: dockerConfig } },
      'none',
    );
    assert.equal(fromFile.features[0]?.id, 'hello');

    await assert.rejects(
      resolve(
        configFile,
        {
          cacheDir: tempDir('devrig-features-cache-'),
          env: { DEVCONTAINERS_OCI_AUTH: `${registry.host}|dev|wrong` },
        },
        'none',
      ),
      (e: unknown) => {
        assert.ok(e instanceof FeatureFetchError);
        assert.match(
          e.message,
          new RegExp(
            `${registry.host}: access to devrig-test/hello denied \\(HTTP 401\\): the credentials from DEVCONTAINERS_OCI_AUTH were refused`,
          ),
        );
        return true;
      },
    );
    await assert.rejects(
      resolve(configFile, { cacheDir: tempDir('devrig-features-cache-') }, 'none'),
      new RegExp(`${registry.host} needs a user name and password and none were found`),
    );
  });
});

/** A token service like ghcr.io's: signs JWTs the registry trusts (its certificate is the registry's root). */
async function tokenService(dir: string, issuer: string, service: string) {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
      '-days',
      '1',
      '-subj',
      '/CN=devrig-test-token',
    ],
    { stdio: 'ignore' },
  );
  const key = readFileSync(path.join(dir, 'key.pem'), 'utf8');
  const der = new X509Certificate(readFileSync(path.join(dir, 'cert.pem'))).raw.toString('base64');
  const requests: URL[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url);
    const access = (url.searchParams.get('scope') ?? '')
      .split(' ')
      .filter(Boolean)
      .map((scope) => {
        const [type, name, actions] = scope.split(':');
        return { type, name, actions: (actions ?? '').split(',') };
      });
    const now = Math.floor(Date.now() / 1000);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const body = `${b64({ typ: 'JWT', alg: 'RS256', x5c: [der] })}.${b64({ iss: issuer, sub: '', aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access })}`;
    const signature = createSign('RSA-SHA256').update(body).sign(key).toString('base64url');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ token: `${body}.${signature}`, expires_in: 300 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, requests, realm: `http://127.0.0.1:${(server.address() as { port: number }).port}/token` };
}

describe('Features from a registry with token auth (as ghcr.io)', () => {
  test('401 → WWW-Authenticate Bearer realm → an anonymous token → the Feature', async () => {
    const dir = tempDir('devrig-token-');
    const plain = await startRegistry({ storage: path.join(dir, 'data') });
    try {
      await publishFeature(plain, path.join(FIXTURES, 'hello'), 'devrig-test/hello');
    } finally {
      await plain.stop();
    }
    const tokens = await tokenService(dir, 'devrig-test-issuer', 'devrig-test-registry');
    const registry = await startRegistry({
      storage: path.join(dir, 'data'),
      authYaml: `auth:\n  token:\n    realm: ${tokens.realm}\n    service: devrig-test-registry\n    issuer: devrig-test-issuer\n    rootcertbundle: ${path.join(dir, 'cert.pem')}\n`,
    });
    try {
      const unauthenticated = await fetch(`http://${registry.address}/v2/devrig-test/hello/manifests/1`);
      assert.equal(unauthenticated.status, 401);
      assert.match(unauthenticated.headers.get('www-authenticate') ?? '', /^Bearer realm=/);
      const configFile = project({ [`${registry.host}/devrig-test/hello:1`]: {} });
      const set = await resolve(configFile, { cacheDir: tempDir('devrig-features-cache-') }, 'none');
      assert.equal(set.features[0]?.id, 'hello');
      assert.ok(existsSync(path.join(set.features[0]?.folder ?? '', 'install.sh')));
      assert.equal(tokens.requests[0]?.searchParams.get('service'), 'devrig-test-registry');
      assert.equal(tokens.requests[0]?.searchParams.get('scope'), 'repository:devrig-test/hello:pull');
    } finally {
      await registry.stop();
      tokens.server.closeAllConnections();
      await new Promise((r) => tokens.server.close(r));
    }
  });
});

describe('tarball Features', () => {
  test('from a loopback HTTP server: fetched, pinned by sha256 in the lockfile; a changed tarball is refused', async () => {
    let tgz = gzipSync(await tarFolder(path.join(FIXTURES, 'hello')));
    const served: string[] = [];
    const server = createServer((req, res) => {
      served.push(req.url ?? '');
      if (req.url !== '/features/devcontainer-feature-hello.tgz') return void res.writeHead(404).end();
      res.end(tgz);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/features/devcontainer-feature-hello.tgz`;
    try {
      const configFile = project({ [url]: { greeting: 'tarball' } });
      const set = await resolve(configFile, { cacheDir: tempDir('devrig-features-cache-') });
      assert.equal(set.features[0]?.ref.kind, 'tarball');
      assert.deepEqual(set.features[0]?.options, { greeting: 'tarball', flavor: 'vanilla', loud: false });
      const lock = JSON.parse(
        readFileSync(path.join(path.dirname(configFile), 'devcontainer-lock.json'), 'utf8'),
      );
      assert.deepEqual(lock.features[url], {
        version: '1.2.0',
        resolved: url,
        integrity: set.features[0]?.digest,
      });

      const changed = tempDir('devrig-tarball-');
      cpSync(path.join(FIXTURES, 'hello'), changed, { recursive: true });
      writeFileSync(path.join(changed, 'install.sh'), '#!/bin/sh\necho changed\n');
      tgz = gzipSync(await tarFolder(changed));
      await assert.rejects(
        resolve(configFile, { cacheDir: tempDir('devrig-features-cache-') }),
        (e: unknown) => {
          assert.ok(e instanceof FeatureFetchError);
          assert.match(
            e.message,
            /tarball Feature .* changed: its sha256 is sha256:\w+ but devcontainer-lock\.json has sha256:\w+/,
          );
          return true;
        },
      );
      const updated = await resolve(configFile, { cacheDir: tempDir('devrig-features-cache-') }, 'update');
      assert.equal(
        readFileSync(path.join(updated.features[0]?.folder ?? '', 'install.sh'), 'utf8'),
        '#!/bin/sh\necho changed\n',
      );
      assert.deepEqual(served, Array(3).fill('/features/devcontainer-feature-hello.tgz'));
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
