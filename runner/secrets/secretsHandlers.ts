import type { HandlersFor, SecretsMethod } from '../server/handlers';
import type { SecretStore } from './secretStore';

/** secrets.set/delete/list: values go in and never come out (list gives names only). */
export function secretsHandlers(secrets: SecretStore): HandlersFor<SecretsMethod> {
  return {
    'secrets.set': async (p) => {
      await secrets.set(p.name, p.value, p.environment);
      return { ok: true };
    },
    'secrets.delete': async (p) => {
      await secrets.delete(p.name, p.environment);
      return { ok: true };
    },
    'secrets.list': async (p) => ({ items: secrets.list(p.environment) }),
  };
}
