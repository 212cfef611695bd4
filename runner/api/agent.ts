import { z } from 'zod';
import { ResourceName } from './meta';
import { ByteSize } from './quantity';

export { AGENT_LABEL, agentSessionOf, isAgentEnvironment } from './agentLabels';

/** An agent session's id: also the value of the AGENT_LABEL on what it creates. */
export const AgentSessionId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be 1-63 of a-z 0-9 -, starting with a letter or digit');

/**
 * How a connection says, in its hello, that an AI agent acts through it (`devrig mcp`). The runner
 * then holds it to the agent policy for as long as it is open; it cannot say otherwise later.
 */
export const AgentIdentity = z.object({
  session: AgentSessionId,
  /** Folders this session may make environments from, besides `agents.folders` of the runner config. */
  folders: z.array(z.string().startsWith('/', 'must be an absolute path')).max(64).default([]),
  /** Who the agent is, as its MCP client said (for the logs only). */
  client: z.string().max(200).optional(),
});
export type AgentIdentity = z.infer<typeof AgentIdentity>;

/** `a,b , c` → ['a', 'b', 'c']: lists set with `devrig config set KEY a,b`. */
const commaList = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : v,
    z.array(item),
  );

/**
 * `agents` in the runner config (`<state>/config.json`): what AI agent sessions may do. Agents
 * always see only environments labelled for agents plus `environments`; everything here narrows
 * or widens that within the runner's rules.
 */
export const AgentsConfig = z.strictObject({
  /** `none`: agent environments get no network at all (`--network none`; loopback only). */
  network: z.enum(['default', 'none']).optional(),
  /** Your own environments agents may see and use (exec, logs, start/stop), by name. */
  environments: commaList(ResourceName).optional(),
  /** Folders (and what is below them) agents may make environments from, for every session. */
  folders: commaList(z.string().startsWith('/', 'must be an absolute path')).optional(),
  /** `own` (default): an agent deletes only what its session created; `visible`: anything it can see. */
  delete: z.enum(['own', 'visible']).optional(),
  /** The most an agent environment gets, and what it gets when it asks for nothing. */
  resources: z
    .strictObject({
      cpus: z.coerce.number().positive().max(1024).optional(),
      memory: ByteSize.optional(),
      pids: z.coerce.number().int().positive().optional(),
    })
    .optional(),
});
export type AgentsConfig = z.infer<typeof AgentsConfig>;

/** What an agent session's MCP tool call was, written to the environment's log by the runner. */
export const AgentAuditParams = z.object({
  tool: z.string().min(1).max(100),
  environment: ResourceName.optional(),
  arguments: z.record(z.string(), z.unknown()).optional(),
});
