import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface RegistryAuth {
  username: string;
  password: string;
  serveraddress: string;
}

/** The registry host of an image reference, as the docker CLI decides it. */
export function registryOf(ref: string): string {
  const first = ref.split('/')[0]!;
  if (!ref.includes('/') || (!first.includes('.') && !first.includes(':') && first !== 'localhost')) {
    return 'https://index.docker.io/v1/';
  }
  return first;
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

/**
 * Credentials for pulling `ref`, from the user's ~/.docker/config.json the way the
 * docker CLI finds them: a credential helper for the registry, the default store,
 * or an inline `auths` entry. None found → anonymous pull.
 */
export async function registryAuthFor(
  ref: string,
  configDir = process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'),
): Promise<RegistryAuth | undefined> {
  let config: DockerConfig;
  try {
    config = JSON.parse(await readFile(join(configDir, 'config.json'), 'utf8')) as DockerConfig;
  } catch {
    return undefined;
  }
  const registry = registryOf(ref);
  const bare = registry.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  const helper = config.credHelpers?.[bare] ?? config.credHelpers?.[registry] ?? config.credsStore;
  if (helper) {
    const fromHelper = await runHelper(helper, registry).catch(() => undefined);
    if (fromHelper) return fromHelper;
  }
  const entry =
    config.auths?.[registry] ?? config.auths?.[bare] ?? config.auths?.[`https://${bare}`] ?? undefined;
  if (!entry) return undefined;
  if (entry.username && entry.password) {
    return { username: entry.username, password: entry.password, serveraddress: registry };
  }
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i > 0)
      return { username: decoded.slice(0, i), password: decoded.slice(i + 1), serveraddress: registry };
  }
  return undefined;
}

function runHelper(helper: string, registry: string): Promise<RegistryAuth | undefined> {
  return new Promise((resolve, reject) => {
    const child = execFile(`docker-credential-${helper}`, ['get'], { timeout: 10_000 }, (err, stdout) => {
      if (err) return reject(err);
      try {
        const r = JSON.parse(stdout) as { Username?: string; Secret?: string };
        resolve(
          r.Username && r.Secret
            ? { username: r.Username, password: r.Secret, serveraddress: registry }
            : undefined,
        );
      } catch (e) {
        reject(e);
      }
    });
    child.stdin?.end(registry);
  });
}

const AUTH_FAILURE = /unauthorized|authentication required|no basic auth credentials|access.*denied/i;

/**
 * A pull the registry refused for want of (good) credentials gets a hint saying which credentials were
 * used and what to do; any other error is returned as it is.
 */
export function withCredentialsHint(
  error: unknown,
  ref: string,
  pull: { remote: boolean; usesLocalCredentials: boolean; sent: boolean },
): unknown {
  const message = (error as Error)?.message ?? '';
  if (!AUTH_FAILURE.test(message)) return error;
  const registry = registryOf(ref);
  const hints = {
    sent: `check the credentials for ${registry} in your docker config (docker login ${registry}): they were refused`,
    'none-found': `no credentials for ${registry} were found in your docker config; check the credentials for ${registry} (docker login ${registry})`,
    'not-used': `this pull sent no credentials; check the credentials for ${registry}`,
    remote: `pulls on a remote engine carry no credentials from this machine; log in to ${registry} on that host`,
  };
  const which = pull.remote
    ? 'remote'
    : !pull.usesLocalCredentials
      ? 'not-used'
      : pull.sent
        ? 'sent'
        : 'none-found';
  return new Error(`${message} (${hints[which]})`, { cause: error });
}
