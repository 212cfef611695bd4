// Resources: each environment's status and log, for clients that attach them as context.
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { ApiError } from '../../api/apiError';
import type { Environment } from '../../api/environment';
import { readLog } from './commandTools';
import { describeError, summarize, visibleEnvironments, type ToolContext } from './toolKit';

const STATUS = 'devrig://environments/{name}/status';
const LOG = 'devrig://environments/{name}/log';

/** A runner refusal (not found, not allowed) is the caller's mistake; anything else is ours. */
function asMcpError(e: unknown): McpError {
  if (e instanceof McpError) return e;
  const theirs = e instanceof ApiError && ['NotFound', 'Forbidden', 'Invalid', 'BadRequest'].includes(e.code);
  return new McpError(theirs ? ErrorCode.InvalidParams : ErrorCode.InternalError, describeError(e));
}

function nameOf(vars: Record<string, string | string[]>): string {
  const n = vars.name;
  return Array.isArray(n) ? (n[0] ?? '') : (n ?? '');
}

export function registerResources(server: McpServer, ctx: ToolContext): void {
  const list = (kind: 'status' | 'log') => async () => {
    const envs = await visibleEnvironments(await ctx.link.client());
    return {
      resources: envs.map((e) => ({
        uri: `devrig://environments/${e.metadata.name}/${kind}`,
        name: `${e.metadata.name} ${kind}`,
        mimeType: kind === 'status' ? 'application/json' : 'text/plain',
      })),
    };
  };

  server.registerResource(
    'environment-status',
    new ResourceTemplate(STATUS, { list: list('status') }),
    {
      title: 'Environment status',
      description: 'Phase, conditions, workspace, ports and automations of a devrig environment (JSON)',
      mimeType: 'application/json',
    },
    async (uri, vars) => {
      try {
        const env = (await (
          await ctx.link.client()
        ).call('get', {
          kind: 'Environment',
          name: nameOf(vars),
        })) as Environment;
        const status = {
          ...summarize(env, ctx.link.session.id),
          conditions: env.status.conditions,
          automations: env.status.automations,
          lastActivity: env.status.lastActivity,
        };
        return {
          contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(status, null, 2) }],
        };
      } catch (e) {
        throw asMcpError(e);
      }
    },
  );

  server.registerResource(
    'environment-log',
    new ResourceTemplate(LOG, { list: list('log') }),
    {
      title: 'Environment log',
      description:
        'The last 500 lines of a devrig environment’s log (builds, lifecycle commands, agent calls)',
      mimeType: 'text/plain',
    },
    async (uri, vars) => {
      try {
        const text = await readLog(await ctx.link.client(), nameOf(vars), 500);
        return { contents: [{ uri: uri.href, mimeType: 'text/plain', text }] };
      } catch (e) {
        throw asMcpError(e);
      }
    },
  );
}

/**
 * Tells the client when environments come and go (resources/list_changed), for as long as the
 * server runs; a broken watch (a runner restart) is made again.
 */
export function watchEnvironmentList(server: McpServer, ctx: ToolContext, closed: Promise<void>): void {
  let stop = false;
  void closed.then(() => (stop = true));
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!stop && server.isConnected()) server.sendResourceListChanged();
    }, 300);
  };
  void (async () => {
    let delay = 1000;
    while (!stop) {
      try {
        const client = await ctx.link.client({ autoStart: false });
        const h = await client.stream('watch', { kind: 'Environment' }, (e) => {
          if (e.type !== 'MODIFIED') changed();
        });
        delay = 1000;
        void closed.then(() => h.cancel());
        await h.done;
      } catch {
        // No runner (stopped by the user, or restarting): look again, less and less often.
        delay = Math.min(delay * 2, 30_000);
      }
      if (!stop) await new Promise((r) => setTimeout(r, delay).unref());
    }
  })();
}
