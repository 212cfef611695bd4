import { z } from 'zod';
import { Environment, EnvironmentApply } from './environment';
import { Host, HostApply, HostKeyLine } from './host';
import { ErrorBody } from './errors';
import { ResourceName } from './meta';
import { AgentAuditParams, AgentIdentity } from './agent';

export const Kind = z.enum(['Environment', 'Host']);
export type Kind = z.infer<typeof Kind>;

export const Resource = z.discriminatedUnion('kind', [Environment, Host]);
export type Resource = z.infer<typeof Resource>;
export const ResourceApply = z.discriminatedUnion('kind', [EnvironmentApply, HostApply]);
export type ResourceApply = z.input<typeof ResourceApply>;

export const WatchEvent = z.object({
  type: z.enum(['ADDED', 'MODIFIED', 'DELETED']),
  object: Resource,
});
export type WatchEvent = z.infer<typeof WatchEvent>;

const Base64 = z.string();

export const ExecParams = z.object({
  name: ResourceName,
  command: z.array(z.string()).optional(),
  /** Run the user's login shell when no command is given. */
  tty: z.boolean().default(false),
  cols: z.number().int().positive().max(1000).optional(),
  rows: z.number().int().positive().max(1000).optional(),
  env: z.record(z.string(), z.string()).optional(),
  user: z.string().optional(),
  workdir: z.string().optional(),
});
export type ExecParams = z.input<typeof ExecParams>;

export const ExecEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('stdout'), data: Base64 }),
  z.object({ kind: z.literal('stderr'), data: Base64 }),
  z.object({ kind: z.literal('exit'), code: z.number().int().nullable(), signal: z.string().optional() }),
]);
export type ExecEvent = z.infer<typeof ExecEvent>;

export const LogEvent = z.object({ data: z.string() });
export type LogEvent = z.infer<typeof LogEvent>;

export const StatsSample = z.object({
  time: z.string(),
  cpuPercent: z.number(),
  memoryBytes: z.number(),
  memoryLimitBytes: z.number(),
  pids: z.number().optional(),
});
export type StatsSample = z.infer<typeof StatsSample>;

export const SshInfo = z.object({
  port: z.number().int(),
  hostKey: z.string(),
  hostKeyFingerprint: z.string(),
  identityFile: z.string(),
  knownHostsFile: z.string(),
  configFile: z.string(),
});
export type SshInfo = z.infer<typeof SshInfo>;

const Empty = z.object({}).strict();
const Ok = z.object({ ok: z.literal(true) });

interface UnaryDef<P extends z.ZodType, R extends z.ZodType> {
  params: P;
  result: R;
}
interface StreamDef<P extends z.ZodType, R extends z.ZodType, E extends z.ZodType> extends UnaryDef<P, R> {
  event: E;
}

function unary<P extends z.ZodType, R extends z.ZodType>(params: P, result: R): UnaryDef<P, R> {
  return { params, result };
}
function stream<P extends z.ZodType, R extends z.ZodType, E extends z.ZodType>(
  params: P,
  result: R,
  event: E,
): StreamDef<P, R, E> {
  return { params, result, event };
}

export const NameParams = z.object({ name: ResourceName });

/** Every call the runner answers; the server, the client and the tests read this one table. */
export const Methods = {
  hello: unary(
    z.object({
      client: z.string(),
      version: z.string(),
      apiVersion: z.number().int(),
      /** This connection acts for an AI agent: the runner holds it to the agent policy. */
      agent: AgentIdentity.optional(),
    }),
    z.object({
      version: z.string(),
      apiVersion: z.number().int(),
      pid: z.number().int(),
      startedAt: z.string(),
      /** Present when the runner holds this connection to the agent policy (an older one does not). */
      agent: z.object({ session: z.string() }).optional(),
    }),
  ),
  apply: unary(z.object({ resource: ResourceApply }), Resource),
  get: unary(z.object({ kind: Kind, name: ResourceName }), Resource),
  list: unary(
    z.object({ kind: Kind, labels: z.record(z.string(), z.string()).optional() }),
    z.object({ items: z.array(Resource), resourceVersion: z.string() }),
  ),
  delete: unary(
    z.object({
      kind: Kind,
      name: ResourceName,
      resourceVersion: z.string().optional(),
      /** An Environment's Compose project also loses the named volumes of its Compose files. */
      volumes: z.boolean().optional(),
    }),
    Resource,
  ),
  watch: stream(
    z.object({
      kind: Kind.optional(),
      name: ResourceName.optional(),
      resourceVersion: z.string().optional(),
    }),
    z.object({ resourceVersion: z.string() }),
    WatchEvent,
  ),
  logs: stream(
    z.object({
      name: ResourceName,
      follow: z.boolean().default(false),
      tail: z.number().int().nonnegative().optional(),
      /** A per-automation log instead of the environment's (`service:web`, `task:build`). */
      source: z
        .string()
        .regex(/^(service|task):[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, {
          error: 'must be service:ID or task:ID (an automation id)',
        })
        .optional(),
      /** The output of a Docker Compose service's container (`db`) instead of the environment's log. */
      service: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, { error: 'must be a Compose service name' })
        .optional(),
      /** Lines keep the time they were logged at (`2024-05-01T12:03:04.567Z text`, see logLines.ts). */
      timestamps: z.boolean().optional(),
    }),
    z.object({}),
    LogEvent,
  ),
  exec: stream(ExecParams, z.object({}), ExecEvent),
  'exec.input': unary(
    z.object({ id: z.number().int(), data: Base64.optional(), eof: z.boolean().optional() }),
    Ok,
  ),
  'exec.resize': unary(
    z.object({ id: z.number().int(), cols: z.number().int().positive(), rows: z.number().int().positive() }),
    Ok,
  ),
  'exec.signal': unary(z.object({ id: z.number().int(), signal: z.string().regex(/^[A-Z0-9]+$/) }), Ok),
  stats: stream(
    z.object({
      name: ResourceName,
      /** First the samples the runner kept (the last minutes), then the live ones. */
      history: z.boolean().optional(),
    }),
    z.object({}),
    StatsSample,
  ),
  cancel: unary(z.object({ id: z.number().int() }), Ok),
  shutdown: unary(Empty, Ok),
  sshInfo: unary(Empty, SshInfo),
  'host.acceptKey': unary(z.object({ name: ResourceName, hostKey: HostKeyLine }), Resource),
  keepalive: unary(NameParams, Ok),
  /** A tool attached (a terminal, a VS Code window): runs postAttachCommand, resolves when it is done. */
  attach: unary(NameParams, Ok),
  'automations.run': unary(z.object({ name: ResourceName, id: z.string() }), Ok),
  'automations.start': unary(z.object({ name: ResourceName, id: z.string() }), Ok),
  'automations.stop': unary(z.object({ name: ResourceName, id: z.string() }), Ok),
  'secrets.set': unary(
    z.object({
      name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
      value: z.string(),
      environment: ResourceName.optional(),
    }),
    Ok,
  ),
  'secrets.delete': unary(z.object({ name: z.string(), environment: ResourceName.optional() }), Ok),
  /** An agent session's tool call, for the environment's log (agent connections only). */
  'agent.audit': unary(AgentAuditParams, Ok),
  'secrets.list': unary(
    z.object({ environment: ResourceName.optional() }),
    z.object({ items: z.array(z.object({ name: z.string(), environment: z.string().optional() })) }),
  ),
} as const;

export type Methods = typeof Methods;
export type MethodName = keyof Methods;
export type StreamMethodName = {
  [K in MethodName]: Methods[K] extends { event: z.ZodType } ? K : never;
}[MethodName];
export type UnaryMethodName = Exclude<MethodName, StreamMethodName>;
export type ParamsOf<M extends MethodName> = z.input<Methods[M]['params']>;
export type ParsedParamsOf<M extends MethodName> = z.infer<Methods[M]['params']>;
export type ResultOf<M extends MethodName> = z.infer<Methods[M]['result']>;
export type EventOf<M extends StreamMethodName> = Methods[M] extends { event: infer E extends z.ZodType }
  ? z.infer<E>
  : never;

export function isStreamMethod(m: MethodName): m is StreamMethodName {
  return 'event' in Methods[m];
}

// Frames on the wire. Client → runner: a request. Runner → client: a response to a
// request; for stream methods, then any number of `event`s and one `end`.
export const RequestFrame = z.object({
  id: z.number().int().nonnegative(),
  method: z.string(),
  params: z.unknown(),
});
export type RequestFrame = z.infer<typeof RequestFrame>;

export const ServerFrame = z.union([
  z.object({ id: z.number().int(), result: z.unknown() }),
  z.object({ id: z.number().int(), error: ErrorBody }),
  z.object({ id: z.number().int(), event: z.unknown() }),
  z.object({ id: z.number().int(), end: z.object({ error: ErrorBody.optional() }) }),
]);
export type ServerFrame = z.infer<typeof ServerFrame>;
