import type { Addon } from '../addons/addon';
import type { SecretsMethod } from '../server/handlers';
import type { SecretStore } from './secretStore';
import { secretsHandlers } from './secretsHandlers';

/** Secrets: the secrets.* API (values reach processes through the session lookups). */
export function secretsAddon(secrets: SecretStore): Addon<SecretsMethod> {
  return { name: 'secrets', hooks: {}, handlers: secretsHandlers(secrets) };
}
