import { join } from 'node:path';
import type { CliContext } from '../context';
import type * as McpMain from '../mcp/main';

export const mcpHelp = `devrig mcp [--folder DIR]...              an MCP server on stdio for AI agents
  devrig mcp [--folder DIR]... [--no-folders] [--session ID]
  Tools: list_environments, up, exec, logs, ports, stop, delete, run_task; resources: each
  environment's status and log. The agent may create environments from DIR (default: the current
  folder; --no-folders: none) and agents.folders of the runner config; the runner holds it to
  the agent policy.
  --session ID names the session (default: a new one per run); it labels what the agent creates.`;

/**
 * The MCP server is a bundle of its own (dist/cli-mcp.js, with the MCP SDK and zod), required only
 * here: every other command starts without reading it (see esbuild.mjs and bench/up).
 */
export async function mcp(ctx: CliContext, argv: string[]): Promise<number> {
  const { runMcp } = module.require(join(__dirname, 'cli-mcp.js')) as typeof McpMain;
  return runMcp({ stateDir: ctx.stateDir, argv });
}
