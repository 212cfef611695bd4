import type { ResourceStore } from '../store/resourceStore';
import type { SecretStore } from './secretStore';

/** Names of variables that usually hold a secret: tokens, passwords, keys, credentials. */
const SECRET_NAME =
  /token|secret|passw|passphrase|credential|api_?key|private_?key|access_?key|(^|_)key($|_)|(^|_)auth($|_)/i;

export function looksSecret(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** The captured `${localEnv:…}` values whose names look secret (see looksSecret). Pure. */
export function secretLookingValues(localEnv: Record<string, string> | undefined): string[] {
  return Object.entries(localEnv ?? {})
    .filter(([name, value]) => looksSecret(name) && value !== '')
    .map(([, value]) => value)
    .sort();
}

/**
 * `spec.localEnv` holds the caller's values of the variables a config references, `NPM_TOKEN` as much
 * as `HOME`. Substituted into lifecycle commands, they would reach the logs and status messages: the
 * secret-looking ones are scrubbed there like secrets are (runner log, environment logs, status),
 * for as long as their environment exists. Returns a function that stops following the store.
 */
export function redactLocalEnvSecrets(store: ResourceStore, secrets: SecretStore): () => void {
  const owner = (name: string) => `localEnv:${name}`;
  return store.watch({ kind: 'Environment' }, (e) => {
    if (e.object.kind !== 'Environment') return;
    const name = e.object.metadata.name;
    const values = e.type === 'DELETED' ? [] : secretLookingValues(e.object.spec.localEnv);
    secrets.redactAlso(owner(name), values);
  });
}
