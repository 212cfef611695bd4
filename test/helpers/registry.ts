// A real container registry (Debian's docker-registry, Distribution 2.8) on a loopback port, and the
// publishing half of the Features distribution spec, for tests: Features pushed as OCI artifacts, images
// pushed with the docker CLI.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { promisify } from 'node:util';
import { pack } from 'tar-stream';
import { freePort } from './net';

const run = promisify(execFile);

export type RegistryAuth = { username: string; password: string };

export interface TestRegistry {
  port: number;
  /** `localhost:PORT`: the name Feature references use (plain http is only for `localhost`, as in the reference). */
  host: string;
  /** `127.0.0.1:PORT`: what the Docker engine pushes to and pulls from (loopback is insecure-allowed). */
  address: string;
  auth?: RegistryAuth;
  /** The registry's own log (stderr), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export type RegistryOptions = {
  /** Basic auth with one user (bcrypt htpasswd, made with apache2-utils' htpasswd -B). */
  auth?: RegistryAuth;
  /** Extra `auth:` YAML instead (e.g. token auth); replaces `auth`. */
  authYaml?: string;
  /** The storage folder (default: a private one): registries may take turns serving the same content. */
  storage?: string;
};

async function waitUntilServing(url: string, child: ChildProcess, output: () => string): Promise<boolean> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    const answered = await fetch(url)
      .then((r) => r.status === 200 || r.status === 401)
      .catch(() => false);
    if (answered) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not answer ${url} within 20 s:\n${output()}`);
}

/** Starts docker-registry on a free loopback port with a private storage folder. Stop it with stop(). */
export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'devrig-registry-'));
  let authYaml = options.authYaml ?? '';
  if (!authYaml && options.auth) {
    const htpasswd = join(dir, 'htpasswd');
    await run('htpasswd', ['-Bbc', htpasswd, options.auth.username, options.auth.password]);
    authYaml = `auth:\n  htpasswd:\n    realm: devrig-test\n    path: ${htpasswd}\n`;
  }
  // A port picked free may be taken before the registry binds it: try a few.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const config = join(dir, 'config.yml');
    writeFileSync(
      config,
      `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n` +
        `storage:\n  filesystem:\n    rootdirectory: ${options.storage ?? join(dir, 'data')}\n  delete:\n    enabled: true\n` +
        `http:\n  addr: 127.0.0.1:${port}\n${authYaml}`,
    );
    const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-20_000)));
    const spawned = await new Promise<boolean>((resolve) => {
      child.once('spawn', () => resolve(true));
      child.once('error', () => resolve(false));
    });
    if (!spawned) throw new Error('docker-registry is not installed (apt-get install docker-registry)');
    if (await waitUntilServing(`http://127.0.0.1:${port}/v2/`, child, () => log)) {
      return {
        port,
        host: `localhost:${port}`,
        address: `127.0.0.1:${port}`,
        ...(options.auth ? { auth: options.auth } : {}),
        output: () => log,
        stop: async () => {
          if (child.exitCode === null) {
            const exited = new Promise((r) => child.once('exit', r));
            child.kill('SIGTERM');
            await exited;
          }
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    if (attempt === 2) throw new Error(`docker-registry exited at once:\n${log}`);
  }
}

function authHeader(registry: TestRegistry): Record<string, string> {
  if (!registry.auth) return {};
  const basic = Buffer.from(`${registry.auth.username}:${registry.auth.password}`).toString('base64');
  return { authorization: `Basic ${basic}` };
}

function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

async function uploadBlob(registry: TestRegistry, repository: string, data: Buffer): Promise<string> {
  const digest = sha256(data);
  const base = `http://${registry.address}/v2/${repository}/blobs/uploads/`;
  const started = await fetch(base, { method: 'POST', headers: authHeader(registry) });
  if (started.status !== 202)
    throw new Error(`starting a blob upload: HTTP ${started.status} ${await started.text()}`);
  const location = new URL(started.headers.get('location') ?? '', base);
  location.searchParams.set('digest', digest);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { ...authHeader(registry), 'content-type': 'application/octet-stream' },
    body: data,
  });
  if (put.status !== 201) throw new Error(`uploading a blob: HTTP ${put.status} ${await put.text()}`);
  return digest;
}

/** A tar of a folder as `devcontainer features publish` makes it (`./` entries, files only, sorted). */
export async function tarFolder(folder: string, replace: Record<string, Buffer> = {}): Promise<Buffer> {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const abs = join(dir, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else files.push(relative(folder, abs).split(sep).join('/'));
    }
  };
  walk(folder);
  return tarEntries(
    files.map((rel) => ({
      name: `./${rel}`,
      content: replace[rel] ?? readFileSync(join(folder, rel)),
      mode: statSync(join(folder, rel)).mode & 0o777,
    })),
  );
}

/** A tar of the given entries, in order. */
export async function tarEntries(
  entries: { name: string; content: Buffer | string; mode?: number }[],
): Promise<Buffer> {
  const p = pack();
  const out = buffer(p as unknown as Readable);
  for (const e of entries) p.entry({ name: e.name, mode: e.mode ?? 0o644, mtime: new Date(0) }, e.content);
  p.finalize();
  return out;
}

/** `{{NAME}}` placeholders in a Feature's metadata (a dependsOn naming the registry's port, say). */
export function fillTemplate(text: string, values: Record<string, string>): string {
  return text.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
}

export type PublishedFeature = {
  reference: string;
  manifestDigest: string;
  layerDigest: string;
  tags: string[];
};

/**
 * Publishes a Feature folder as an OCI artifact under `repository` (`namespace/id`): config `{}` of type
 * application/vnd.devcontainers, one tar layer, the dev.containers.metadata annotation; tagged with the
 * semver ladder of its version (1, 1.2, 1.2.0) and latest, unless `tags` is given.
 */
export async function publishFeature(
  registry: TestRegistry,
  folder: string,
  repository: string,
  options: { tags?: string[]; template?: Record<string, string> } = {},
): Promise<PublishedFeature> {
  const metadataText = fillTemplate(readFileSync(join(folder, 'devcontainer-feature.json'), 'utf8'), {
    REGISTRY: registry.host,
    ...options.template,
  });
  const metadata = JSON.parse(metadataText) as { version?: string };
  const layer = await tarFolder(folder, { 'devcontainer-feature.json': Buffer.from(metadataText) });
  const config = Buffer.from('{}');
  const configDigest = await uploadBlob(registry, repository, config);
  const layerDigest = await uploadBlob(registry, repository, layer);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.devcontainers', digest: configDigest, size: config.length },
      layers: [
        {
          mediaType: 'application/vnd.devcontainers.layer.v1+tar',
          digest: layerDigest,
          size: layer.length,
          annotations: {
            'org.opencontainers.image.title': `devcontainer-feature-${repository.split('/').pop()}.tgz`,
          },
        },
      ],
      annotations: {
        'dev.containers.metadata': JSON.stringify(metadata),
        'com.github.package.type': 'devcontainer_feature',
      },
    }),
  );
  const version = metadata.version ?? '1.0.0';
  const [major, minor] = version.split('.');
  const tags = options.tags ?? [major ?? version, `${major}.${minor}`, version, 'latest'];
  for (const tag of tags) {
    const put = await fetch(`http://${registry.address}/v2/${repository}/manifests/${tag}`, {
      method: 'PUT',
      headers: { ...authHeader(registry), 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
      body: manifest,
    });
    if (put.status !== 201)
      throw new Error(`pushing the manifest ${tag}: HTTP ${put.status} ${await put.text()}`);
  }
  return { reference: `${registry.host}/${repository}`, manifestDigest: sha256(manifest), layerDigest, tags };
}

/**
 * Pushes a local image to the registry as `name` (`repo:tag`) with the docker CLI (its own config folder,
 * logged in when the registry has auth, so the machine's ~/.docker is never touched). Returns the reference.
 */
export async function pushImage(registry: TestRegistry, image: string, name: string): Promise<string> {
  const ref = `${registry.address}/${name}`;
  const config = mkdtempSync(join(tmpdir(), 'devrig-docker-config-'));
  try {
    if (registry.auth) {
      const login = run('docker', [
        '--config',
        config,
        'login',
        '--username',
        registry.auth.username,
        '--password-stdin',
        registry.address,
      ]);
      login.child.stdin?.end(registry.auth.password);
      await login;
    }
    await run('docker', ['tag', image, ref]);
    await run('docker', ['--config', config, 'push', ref], { maxBuffer: 16 * 1024 * 1024 });
  } finally {
    rmSync(config, { recursive: true, force: true });
  }
  return ref;
}
