import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * Registry credentials for Feature downloads: basic credentials (base64 `user:password`) or an identity
 * (refresh) token, which is traded for a bearer token.
 */
export type OciCredential =
  { basic: string; refreshToken?: undefined } | { refreshToken: string; basic?: undefined };

/** Where a credential came from, for messages ("… from ~/.docker/config.json were refused"). */
export type FoundCredential = OciCredential & { from: string };

export type CredentialHelper = (helper: string, registry: string) => Promise<string>;

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/** `docker-credential-<helper> get` with the registry on stdin, as docker runs it; its stdout. */
export const runCredentialHelper: CredentialHelper = (helper, registry) =>
  new Promise((resolve, reject) => {
    const child = execFile(`docker-credential-${helper}`, ['get'], { timeout: 15_000 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
    child.stdin?.end(registry);
  });

function fromHelperOutput(output: string, from: string): FoundCredential | undefined {
  let parsed: { Username?: string; Secret?: string };
  try {
    parsed = JSON.parse(output) as typeof parsed;
  } catch {
    return undefined;
  }
  if (!parsed.Secret) return undefined;
  if (parsed.Username === '<token>') return { refreshToken: parsed.Secret, from };
  return { basic: Buffer.from(`${parsed.Username ?? ''}:${parsed.Secret}`).toString('base64'), from };
}

export type CredentialLookup = {
  env: Record<string, string | undefined>;
  /** Folder of config.json; default $DOCKER_CONFIG, else ~/.docker; false: do not read it. */
  dockerConfigDir?: string | false;
  runHelper?: CredentialHelper;
};

/**
 * Credentials for `registry` (host[:port]) the way the reference finds them: DEVCONTAINERS_OCI_AUTH
 * (`registry|user|password`, comma-separated), then ~/.docker/config.json — the registry's credHelper,
 * else the credsStore, else an `auths` entry (auth or identitytoken). Undefined: anonymous.
 */
export async function findCredential(
  registry: string,
  lookup: CredentialLookup,
): Promise<FoundCredential | undefined> {
  const fromEnv = lookup.env['DEVCONTAINERS_OCI_AUTH'];
  if (fromEnv) {
    const entry = fromEnv.split(',').find((e) => e.split('|')[0] === registry);
    if (entry) {
      const [, user = '', password = ''] = entry.split('|');
      return {
        basic: Buffer.from(`${user}:${password}`).toString('base64'),
        from: 'DEVCONTAINERS_OCI_AUTH',
      };
    }
  }
  if (lookup.dockerConfigDir === false) return undefined;
  const dir = lookup.dockerConfigDir ?? lookup.env['DOCKER_CONFIG'] ?? join(homedir(), '.docker');
  const file = join(dir, 'config.json');
  let config: DockerConfigFile;
  try {
    config = JSON.parse(await readFile(file, 'utf8')) as DockerConfigFile;
  } catch {
    return undefined;
  }
  const helper = config.credHelpers?.[registry] ?? config.credsStore;
  if (helper) {
    const run = lookup.runHelper ?? runCredentialHelper;
    const output = await run(helper, registry).catch(() => undefined);
    const found = output === undefined ? undefined : fromHelperOutput(output, `docker-credential-${helper}`);
    if (found) return found;
  }
  const entry = config.auths?.[registry];
  if (entry?.identitytoken) return { refreshToken: entry.identitytoken, from: file };
  if (entry?.auth) return { basic: entry.auth, from: file };
  return undefined;
}
