import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { createOciClient, OciError, parseFeatureRef, type OciFeatureRef } from '../../../../runner/features';
import { extractFeatureArchive } from '../../../../runner/features/archive';
import { findCredential, runCredentialHelper } from '../../../../runner/features/credentials';
import type { HttpClient, HttpRequest, HttpResponse } from '../../../../runner/features/http';
import { parseChallenge, sha256Digest } from '../../../../runner/features/ociClient';
import { removeProjects, tempDir } from '../../../helpers/project';
import { tarEntries, tarFolder } from '../../../helpers/registry';

after(removeProjects);

const REF = parseFeatureRef('ghcr.io/owner/features/tool:1', '/p/devcontainer.json') as OciFeatureRef;
const MANIFEST = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    config: { mediaType: 'application/vnd.devcontainers', digest: 'sha256:x', size: 2 },
    layers: [{ mediaType: 'application/vnd.devcontainers.layer.v1+tar', digest: 'sha256:y', size: 1 }],
  }),
);

type Seen = { url: string; init: HttpRequest };

/** A registry behind a token service, as ghcr.io is: 401 + challenge, then the token. */
function tokenRegistry(seen: Seen[], expectBasic?: string): HttpClient {
  return async (url, init = {}) => {
    seen.push({ url, init });
    const reply = (
      status: number,
      body: string | Buffer,
      headers: Record<string, string> = {},
    ): HttpResponse => ({
      status,
      headers,
      body: Buffer.from(body),
      url,
    });
    const auth = init.headers?.['authorization'];
    if (url.startsWith('https://ghcr.io/token')) {
      if (expectBasic && auth !== `Basic ${expectBasic}`) return reply(401, 'bad credentials');
      return reply(200, JSON.stringify({ token: 'T0K3N' }));
    }
    if (auth !== 'Bearer T0K3N') {
      return reply(401, '', {
        'www-authenticate':
          'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:owner/features/tool:pull"',
      });
    }
    return reply(200, MANIFEST);
  };
}

test('challenges are parsed (quoted values with commas, bare values, case)', () => {
  assert.deepEqual(
    parseChallenge('Bearer realm="https://a/token",service="reg",scope="repository:x/y:pull,push"'),
    {
      scheme: 'bearer',
      params: { realm: 'https://a/token', service: 'reg', scope: 'repository:x/y:pull,push' },
    },
  );
  assert.deepEqual(parseChallenge('Basic realm=devrig-test'), {
    scheme: 'basic',
    params: { realm: 'devrig-test' },
  });
});

test('anonymous token flow: 401 → realm → token → the manifest; the token is reused', async () => {
  const seen: Seen[] = [];
  const client = createOciClient({ http: tokenRegistry(seen), credentials: async () => undefined });
  const fetched = await client.manifest(REF, '1');
  assert.equal(fetched.digest, sha256Digest(MANIFEST));
  assert.deepEqual(
    seen.map((s) => s.url),
    [
      'https://ghcr.io/v2/owner/features/tool/manifests/1',
      'https://ghcr.io/token?service=ghcr.io&scope=repository%3Aowner%2Ffeatures%2Ftool%3Apull',
      'https://ghcr.io/v2/owner/features/tool/manifests/1',
    ],
  );
  assert.equal(seen[1]?.init.headers?.['authorization'], undefined, 'anonymous');
  await client.manifest(REF, '1');
  assert.equal(seen.length, 4, 'the cached token is sent at once');
});

test('credentials go to the token service as Basic; refused ones fall back to anonymous', async () => {
  const seen: Seen[] = [];
  const basic = Buffer.from('me:secret').toString('base64');
  const client = createOciClient({
    http: tokenRegistry(seen, basic),
    credentials: async () => ({ basic, from: 'test' }),
  });
  await client.manifest(REF, '1');
  assert.equal(seen[1]?.init.headers?.['authorization'], `Basic ${basic}`);
  const stale: Seen[] = [];
  const other = createOciClient({
    http: async (url, init) =>
      url.includes('/token') && init?.headers?.['authorization']
        ? { status: 401, headers: {}, body: Buffer.from(''), url }
        : tokenRegistry(stale)(url, init),
    credentials: async () => ({ basic: 'c3RhbGU=', from: 'test' }),
  });
  assert.equal((await other.manifest(REF, '1')).digest, sha256Digest(MANIFEST));
});

test('a digest is verified; a non-Feature artifact and a 404 are clear errors', async () => {
  const client = createOciClient({
    http: async (url) => ({ status: url.endsWith('/missing') ? 404 : 200, headers: {}, body: MANIFEST, url }),
    credentials: async () => undefined,
  });
  await assert.rejects(
    client.manifest(REF, `sha256:${'0'.repeat(64)}`),
    /the registry sent a manifest whose digest is sha256:/,
  );
  await assert.rejects(
    client.manifest(REF, 'missing'),
    (e: unknown) =>
      e instanceof OciError &&
      e.status === 404 &&
      /ghcr\.io\/owner\/features\/tool:missing was not found/.test(e.message),
  );
  const image = createOciClient({
    http: async (url) => ({
      status: 200,
      headers: {},
      body: Buffer.from(
        '{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json"},"layers":[]}',
      ),
      url,
    }),
    credentials: async () => undefined,
  });
  await assert.rejects(
    image.manifest(REF, '1'),
    /is not a Dev Container Feature \(its config media type is application\/vnd\.oci\.image\.config\.v1\+json/,
  );
  await assert.rejects(client.blob(REF, `sha256:${'0'.repeat(64)}`), /the layer received has the digest/);
});

test('basic challenge without credentials, and refused credentials, say what to do', async () => {
  const basicOnly: HttpClient = async (url, init) => ({
    status: init?.headers?.['authorization'] === 'Basic Z29vZA==' ? 200 : 401,
    headers: { 'www-authenticate': 'Basic realm="r"' },
    body: MANIFEST,
    url,
  });
  await assert.rejects(
    createOciClient({ http: basicOnly, credentials: async () => undefined }).manifest(REF, '1'),
    /ghcr\.io needs a user name and password and none were found \(docker login ghcr\.io, or DEVCONTAINERS_OCI_AUTH\)/,
  );
  await assert.rejects(
    createOciClient({
      http: basicOnly,
      credentials: async () => ({ basic: 'YmFk', from: '/home/me/.docker/config.json' }),
    }).manifest(REF, '1'),
    /ghcr\.io: access to owner\/features\/tool denied \(HTTP 401\): the credentials from \/home\/me\/\.docker\/config\.json were refused/,
  );
  const good = createOciClient({
    http: basicOnly,
    credentials: async () => ({ basic: 'Z29vZA==', from: 'x' }),
  });
  assert.equal((await good.manifest(REF, '1')).digest, sha256Digest(MANIFEST));
});

test('credentials: DEVCONTAINERS_OCI_AUTH, then the docker config (helper, then auths, identity tokens)', async () => {
  const dir = tempDir('devrig-creds-');
  const env = { DEVCONTAINERS_OCI_AUTH: 'other|a|b,reg.example:5000|user|pa|ss' };
  const fromEnv = await findCredential('reg.example:5000', { env, dockerConfigDir: dir });
  assert.equal(fromEnv?.from, 'DEVCONTAINERS_OCI_AUTH');
  assert.equal(Buffer.from(fromEnv?.basic ?? '', 'base64').toString(), 'user:pa');
  writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({
      auths: {
        'reg.example': { auth: Buffer.from('u:p').toString('base64') },
        'tok.example': { identitytoken: 'REFRESH' },
      },
      credHelpers: { 'helped.example': 'devrigtest' },
    }),
  );
  assert.deepEqual(await findCredential('reg.example', { env: {}, dockerConfigDir: dir }), {
    basic: Buffer.from('u:p').toString('base64'),
    from: path.join(dir, 'config.json'),
  });
  assert.equal(
    (await findCredential('tok.example', { env: {}, dockerConfigDir: dir }))?.refreshToken,
    'REFRESH',
  );
  assert.equal(await findCredential('none.example', { env: {}, dockerConfigDir: dir }), undefined);
  assert.equal(await findCredential('reg.example', { env: {}, dockerConfigDir: false }), undefined);

  // A real helper program, run the way docker runs it: `get`, the registry on stdin, JSON out.
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  const helper = path.join(bin, 'docker-credential-devrigtest');
  writeFileSync(
    helper,
    `#!/bin/sh\nread registry\necho "{\\"ServerURL\\":\\"$registry\\",\\"Username\\":\\"h-$1\\",\\"Secret\\":\\"s3\\"}"\n`,
  );
  chmodSync(helper, 0o755);
  const saved = process.env.PATH;
  process.env.PATH = `${bin}:${saved}`;
  try {
    assert.equal(
      JSON.parse(await runCredentialHelper('devrigtest', 'helped.example')).ServerURL,
      'helped.example',
    );
    const found = await findCredential('helped.example', { env: {}, dockerConfigDir: dir });
    assert.equal(found?.from, 'docker-credential-devrigtest');
    assert.equal(Buffer.from(found?.basic ?? '', 'base64').toString(), 'h-get:s3');
  } finally {
    process.env.PATH = saved;
  }
  const store = tempDir('devrig-creds-store-');
  writeFileSync(path.join(store, 'config.json'), JSON.stringify({ credsStore: 'desktop' }));
  const token = await findCredential('x.example', {
    env: {},
    dockerConfigDir: store,
    runHelper: async (name, registry) =>
      name === 'desktop' && registry === 'x.example' ? '{"Username":"<token>","Secret":"ID"}' : '',
  });
  assert.deepEqual(token, { refreshToken: 'ID', from: 'docker-credential-desktop' });
});

test('archives: tar or gzipped tar, modes kept, nothing written outside the folder', async () => {
  const src = tempDir('devrig-archive-src-');
  mkdirSync(path.join(src, 'lib'));
  writeFileSync(path.join(src, 'install.sh'), '#!/bin/sh\n');
  chmodSync(path.join(src, 'install.sh'), 0o755);
  writeFileSync(path.join(src, 'lib', 'data.txt'), 'data');
  const tar = await tarFolder(src);
  for (const data of [tar, gzipSync(tar)]) {
    const out = path.join(tempDir('devrig-archive-out-'), 'x');
    assert.deepEqual(await extractFeatureArchive(data, out, 'test'), ['install.sh', 'lib/data.txt']);
    assert.equal(readFileSync(path.join(out, 'lib', 'data.txt'), 'utf8'), 'data');
  }
  const evil = await tarEntries([{ name: '../escape.txt', content: 'x' }]);
  const out = tempDir('devrig-archive-evil-');
  await assert.rejects(
    extractFeatureArchive(evil, path.join(out, 'f'), 'evil'),
    /would be written outside the Feature's folder/,
  );
  await assert.rejects(
    extractFeatureArchive(Buffer.from([0x1f, 0x8b, 1, 2, 3]), path.join(out, 'g'), 'bad'),
    /not a valid gzip file/,
  );
});
