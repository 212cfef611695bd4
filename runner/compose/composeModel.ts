import { z } from 'zod';

// The effective project as `docker compose config --format json` prints it: Compose has already
// merged the files, interpolated variables (from the environment and `.env`), resolved relative paths
// and turned short syntax into long syntax. Only what devrig reads is described; the rest is kept.

const Strings = z.array(z.string());

const ServiceVolume = z.looseObject({
  type: z.string(),
  source: z.string().optional(),
  target: z.string(),
  read_only: z.boolean().optional(),
});

const ServicePort = z.looseObject({
  target: z.number(),
  published: z.union([z.string(), z.number()]).optional(),
  host_ip: z.string().optional(),
  protocol: z.string().optional(),
});

const Device = z.union([
  z.string(),
  z.looseObject({ source: z.string(), target: z.string().optional(), permissions: z.string().optional() }),
]);

export const ComposeService = z.looseObject({
  image: z.string().optional(),
  build: z.looseObject({ context: z.string().optional(), dockerfile: z.string().optional() }).optional(),
  command: Strings.nullish(),
  entrypoint: Strings.nullish(),
  user: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  environment: z.record(z.string(), z.string().nullable()).optional(),
  volumes: z.array(ServiceVolume).optional(),
  ports: z.array(ServicePort).optional(),
  privileged: z.boolean().optional(),
  cap_add: Strings.optional(),
  security_opt: Strings.optional(),
  devices: z.array(Device).optional(),
  network_mode: z.string().optional(),
  pid: z.string().optional(),
  ipc: z.string().optional(),
  userns_mode: z.string().optional(),
  cgroup: z.string().optional(),
  uts: z.string().optional(),
  profiles: Strings.optional(),
  container_name: z.string().optional(),
  volumes_from: Strings.optional(),
  /** `config --format json` writes the long form: each dependency with its condition. */
  depends_on: z.record(z.string(), z.looseObject({ condition: z.string().optional() })).optional(),
});
export type ComposeService = z.infer<typeof ComposeService>;

export const ComposeModel = z.looseObject({
  name: z.string().optional(),
  services: z.record(z.string(), ComposeService).default({}),
  volumes: z
    .record(
      z.string(),
      z.looseObject({ name: z.string().optional(), external: z.boolean().optional() }).nullable(),
    )
    .optional(),
  networks: z.record(z.string(), z.looseObject({ name: z.string().optional() }).nullable()).optional(),
});
export type ComposeModel = z.infer<typeof ComposeModel>;

/** The project Compose reported is not what devrig can read (a Compose too old or too new). */
export class ComposeModelError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ComposeModelError';
  }
}

/** Parses `compose config --format json` output. */
export function parseComposeModel(text: string): ComposeModel {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ComposeModelError(`Compose printed a project that is not JSON: ${(e as Error).message}`, {
      cause: e,
    });
  }
  const parsed = ComposeModel.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first ? first.path.map(String).join('.') : '';
    throw new ComposeModelError(
      `Compose printed a project devrig cannot read: ${where}: ${first?.message ?? ''}`,
      {
        cause: parsed.error,
      },
    );
  }
  return parsed.data;
}

/** The services `up` should start: runServices (or every service without a profile) plus the dev service. */
export function servicesToRun(
  model: ComposeModel,
  devService: string,
  runServices?: readonly string[],
): string[] {
  const base = runServices ?? Object.keys(model.services).filter((s) => !model.services[s]?.profiles?.length);
  return [...new Set([...base, devService])];
}

/** Names in `wanted` that the project does not define; with what it does define, for the message. */
export function unknownServices(model: ComposeModel, wanted: readonly string[]): string[] {
  return wanted.filter((s) => !Object.hasOwn(model.services, s));
}

/**
 * What `up services` starts: those services and, transitively, what they depend on (`depends_on`,
 * and a network namespace shared with another service), in the project's order. Pure.
 */
export function startedServices(model: ComposeModel, services: readonly string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const s = model.services[name];
    if (!s) return;
    for (const dep of Object.keys(s.depends_on ?? {})) visit(dep);
    for (const mode of [s.network_mode, s.pid, s.ipc]) {
      if (mode?.startsWith('service:')) visit(mode.slice('service:'.length));
    }
  };
  services.forEach(visit);
  return Object.keys(model.services).filter((s) => seen.has(s));
}

/**
 * Services another one waits on to finish (`condition: service_completed_successfully`): one-shot
 * jobs (migrations, seeding) whose container exits 0 when done; that is not a service to bring back. Pure.
 */
export function oneShotServices(model: ComposeModel): Set<string> {
  const out = new Set<string>();
  for (const s of Object.values(model.services)) {
    for (const [dep, d] of Object.entries(s.depends_on ?? {})) {
      if (d.condition === 'service_completed_successfully') out.add(dep);
    }
  }
  return out;
}
