// What every devrig MCP tool shares: results as text plus structured content, errors an agent can
// act on, the audit line in the environment's log, progress notifications.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { ApiError } from '../../api/apiError';
import type { Environment } from '../../api/environment';
import { NAME_PATTERN, NAME_RULE } from '../../api/names';
import type { RunnerClient } from '../../client/runnerClient';
import { agentSessionOf } from '../../api/agentLabels';
import { explain } from '../output';
import type { RunnerLink } from './runnerLink';

export interface ToolContext {
  link: RunnerLink;
  /** Relative folders in tool arguments are relative to this (the MCP server's working folder). */
  cwd: string;
}

/** What a tool callback gets besides its arguments (the SDK's RequestHandlerExtra, in part). */
export interface ToolExtra {
  signal: AbortSignal;
  _meta?: { progressToken?: string | number };
  sendNotification(n: {
    method: 'notifications/progress';
    params: { progressToken: string | number; progress: number; message?: string };
  }): Promise<void>;
}

export function ok(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

/** An error the agent can act on: the runner's code and message, and where (file:line:col). */
export function describeError(e: unknown): string {
  if (e instanceof ApiError) {
    const where = (e.details ?? [])
      .filter((d) => !e.message.includes(d.path))
      .map((d) => `\n  ${d.path}: ${d.message}`)
      .join('');
    return `${e.code}: ${e.message}${where}`;
  }
  return (e as Error)?.message ?? String(e);
}

type Shape = z.ZodRawShape;

/**
 * Registers a tool whose failures come back as tool errors (isError, with the reason) rather than
 * protocol errors: the agent reads them and can correct itself. Arguments are checked against
 * `input` first (strict: an unknown argument is an error, not ignored).
 */
export function tool<I extends Shape, O extends Shape>(
  server: McpServer,
  name: string,
  config: {
    title: string;
    description: string;
    input: I;
    output: O;
    annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean };
  },
  run: (args: z.infer<z.ZodObject<I>>, extra: ToolExtra) => Promise<CallToolResult>,
): void {
  server.registerTool(
    name,
    {
      title: config.title,
      description: config.description,
      inputSchema: z.strictObject(config.input),
      outputSchema: z.object(config.output),
      annotations: { openWorldHint: false, ...config.annotations },
    },
    (async (args: z.infer<z.ZodObject<I>>, extra: ToolExtra) => {
      try {
        return await run(args, extra);
      } catch (e) {
        return { isError: true, content: [{ type: 'text', text: describeError(e) }] };
      }
    }) as never,
  );
}

/** Writes the call to the environment's log through the runner (which checks it may see it). */
export async function audit(
  ctx: ToolContext,
  toolName: string,
  environment: string | undefined,
  args: Record<string, unknown>,
): Promise<void> {
  const client = await ctx.link.client();
  await client.call('agent.audit', { tool: toolName, environment, arguments: args });
}

/** Progress notifications for the call, when the client asked for them (a progressToken). */
export function progressOf(extra: ToolExtra): (message: string) => void {
  const token = extra._meta?.progressToken;
  let n = 0;
  return (message) => {
    if (token === undefined) return;
    void extra
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken: token, progress: ++n, message },
      })
      .catch(() => {});
  };
}

export const EnvironmentSummary = {
  name: z.string(),
  phase: z.string(),
  source: z.string(),
  createdBy: z.enum(['this-session', 'another-agent-session', 'user']),
  network: z.enum(['default', 'none']),
  workspaceFolder: z.string().optional(),
  remoteUser: z.string().optional(),
  message: z.string().optional(),
  ports: z.array(z.object({ port: z.number(), label: z.string().optional(), url: z.string().optional() })),
};
export type EnvironmentSummary = z.infer<z.ZodObject<typeof EnvironmentSummary>>;

export function summarize(env: Environment, session: string): EnvironmentSummary {
  const owner = agentSessionOf(env);
  const message = explain(env);
  return {
    name: env.metadata.name,
    phase: env.status.phase,
    source: env.spec.source.folder ?? env.spec.source.git?.url ?? '',
    createdBy: owner === session ? 'this-session' : owner ? 'another-agent-session' : 'user',
    network: env.spec.network ?? 'default',
    ...(env.status.workspaceFolder ? { workspaceFolder: env.status.workspaceFolder } : {}),
    ...(env.status.remoteUser ? { remoteUser: env.status.remoteUser } : {}),
    ...(message ? { message } : {}),
    ports: env.status.ports.map((p) => ({
      port: p.port,
      ...(p.label ? { label: p.label } : {}),
      ...(portUrl(p) ? { url: portUrl(p) } : {}),
    })),
  };
}

export function portUrl(p: Environment['status']['ports'][number]): string | undefined {
  return p.url ?? (p.localPort ? `http://127.0.0.1:${p.localPort}` : undefined);
}

export function summaryLine(s: EnvironmentSummary): string {
  const who =
    s.createdBy === 'this-session' ? 'yours' : s.createdBy === 'user' ? "the user's" : 'another agent';
  return `${s.name}  ${s.phase}  (${who}; ${s.source}${s.network === 'none' ? '; no network' : ''})${s.message ? `  ${s.message}` : ''}`;
}

/** Everything this session may see (the runner filters). */
export async function visibleEnvironments(client: RunnerClient): Promise<Environment[]> {
  const { items } = await client.call('list', { kind: 'Environment' });
  return items.filter((e): e is Environment => e.kind === 'Environment');
}

export const environmentName = z
  .string()
  .regex(NAME_PATTERN, NAME_RULE)
  .describe('The environment, by name (see list_environments)');
