import type { EnvironmentStatus, Resource } from '../api';

/**
 * Status as it leaves the runner (every API answer and watch event): secret values in messages,
 * errors and automation logs become ***. Done here once, for every writer's parts: inside the
 * runner the status is as written. Stored objects are immutable, so each is scrubbed once per
 * redactor (a new secret makes a new redactor).
 */
export function statusRedactor(redact: () => (text: string) => string): <R extends Resource>(r: R) => R {
  let cache = new WeakMap<Resource, Resource>();
  let current: ((text: string) => string) | undefined;
  return <R extends Resource>(r: R): R => {
    const fn = redact();
    if (fn !== current) {
      current = fn;
      cache = new WeakMap();
    }
    if (r.kind !== 'Environment') return r;
    let out = cache.get(r);
    if (!out) {
      const status = scrub(r.status, fn);
      out = status === r.status ? r : { ...r, status };
      cache.set(r, out);
    }
    return out as R;
  };
}

function scrub(status: EnvironmentStatus, r: (text: string) => string): EnvironmentStatus {
  let changed = false;
  const text = (t: string) => {
    const out = r(t);
    if (out !== t) changed = true;
    return out;
  };
  const conditions = status.conditions.map((c) => {
    const message = text(c.message);
    return message === c.message ? c : { ...c, message };
  });
  const lastError = status.lastError === undefined ? undefined : text(status.lastError);
  const automations = status.automations.map((a) => {
    const message = text(a.message);
    const logTail = a.logTail === undefined ? undefined : text(a.logTail);
    return message === a.message && logTail === a.logTail ? a : { ...a, message, logTail };
  });
  if (!changed) return status;
  return { ...status, conditions, automations, ...(lastError !== undefined ? { lastError } : {}) };
}
