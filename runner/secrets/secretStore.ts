import { z } from 'zod';
import { ApiError } from '../api';
import { readFileIfExists, writeFileAtomic } from '../state/privateFile';
import { MIN_REDACTED_LENGTH, redactor } from './redact';
import { parseJsonOrUndefined } from '../util/json';

const SecretsFile = z.object({
  version: z.literal(1),
  /** Given to every environment of this user. */
  user: z.record(z.string(), z.string()).default({}),
  /** Per environment name; these win over the user's. */
  environments: z.record(z.string(), z.record(z.string(), z.string())).default({}),
});
type SecretsFile = z.infer<typeof SecretsFile>;

export interface SecretEntry {
  name: string;
  environment?: string;
}

/**
 * The user's secrets: a 0600 JSON file in the runner's private state folder, held in memory.
 * Values leave it only as environment variables of processes in an environment (sessions,
 * lifecycle commands, automations) — never in container config, labels, status or logs, which
 * `redact` scrubs.
 */
export class SecretStore {
  private data: SecretsFile;
  private scrub: (text: string) => string = (t) => t;
  /** Other values scrubbed with the secrets, by owner (see redactAlso). */
  private readonly alsoRedacted = new Map<string, string[]>();
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly path: string,
    data: SecretsFile,
  ) {
    this.data = data;
    this.refresh();
  }

  static async open(path: string): Promise<SecretStore> {
    const text = await readFileIfExists(path);
    let data: SecretsFile = { version: 1, user: {}, environments: {} };
    if (text) {
      const parsed = SecretsFile.safeParse(parseJsonOrUndefined(text));
      // The message names the file only: its content is secret.
      if (!parsed.success) throw new Error(`${path} is not a valid secrets file; fix or remove it`);
      data = parsed.data;
    }
    return new SecretStore(path, data);
  }

  /** Scrubs every secret value from `text`. */
  redact = (text: string): string => this.scrub(text);

  /**
   * Scrubs `values` too (replacing what `owner` gave before; none: forgets the owner), e.g. the
   * secret-looking `${localEnv:…}` values an environment was applied with.
   */
  redactAlso(owner: string, values: string[]): void {
    const before = this.alsoRedacted.get(owner) ?? [];
    if (before.length === values.length && before.every((v, i) => v === values[i])) return;
    if (values.length) this.alsoRedacted.set(owner, values);
    else this.alsoRedacted.delete(owner);
    this.refresh();
  }

  list(environment?: string): SecretEntry[] {
    const out: SecretEntry[] = Object.keys(this.data.user).map((name) => ({ name }));
    for (const [env, vars] of Object.entries(this.data.environments)) {
      if (environment !== undefined && env !== environment) continue;
      for (const name of Object.keys(vars)) out.push({ name, environment: env });
    }
    return out.sort(
      (a, b) => (a.environment ?? '').localeCompare(b.environment ?? '') || a.name.localeCompare(b.name),
    );
  }

  /** The variables an environment's processes get: the user's, then its own over them. */
  /** `userWide: false`: only the environment's own (what an AI agent's environment gets). */
  valuesFor(environment: string, opts: { userWide?: boolean } = {}): Record<string, string> {
    return { ...(opts.userWide === false ? {} : this.data.user), ...this.data.environments[environment] };
  }

  set(name: string, value: string, environment?: string): Promise<void> {
    if (value.length < MIN_REDACTED_LENGTH) {
      // Refused rather than kept unredacted: a secret that cannot be scrubbed from logs is not one.
      return Promise.reject(
        new ApiError(
          'Invalid',
          `secret ${name}: a value must be at least ${MIN_REDACTED_LENGTH} characters long. Secret values are ` +
            `replaced with *** in every log and status, and shorter ones cannot be (replacing every "on" or "1" ` +
            `would wreck the logs and give the value away); pass such settings with spec.env instead`,
        ),
      );
    }
    return this.change((d) => {
      if (environment === undefined) d.user[name] = value;
      else d.environments[environment] = { ...d.environments[environment], [name]: value };
    });
  }

  delete(name: string, environment?: string): Promise<void> {
    return this.change((d) => {
      const scope = environment === undefined ? d.user : d.environments[environment];
      if (!scope || !(name in scope)) {
        throw new ApiError(
          'NotFound',
          `no secret ${name}${environment !== undefined ? ` for environment "${environment}"` : ''}`,
        );
      }
      delete scope[name];
      if (environment !== undefined && Object.keys(scope).length === 0) delete d.environments[environment];
    });
  }

  private change(fn: (d: SecretsFile) => void): Promise<void> {
    const run = this.chain.then(async () => {
      const next = structuredClone(this.data);
      fn(next);
      await writeFileAtomic(this.path, JSON.stringify(next, null, 2) + '\n', 0o600);
      this.data = next;
      this.refresh();
    });
    this.chain = run.catch(() => {});
    return run;
  }

  private refresh(): void {
    const values = [
      ...Object.values(this.data.user),
      ...Object.values(this.data.environments).flatMap((v) => Object.values(v)),
      ...[...this.alsoRedacted.values()].flat(),
    ];
    this.scrub = redactor(values);
  }
}
