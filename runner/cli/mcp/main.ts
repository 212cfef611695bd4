// `devrig mcp`: a Model Context Protocol server on stdio, for AI agents (VS Code's agent mode, Claude
// Code, …). Built as its own bundle (dist/cli-mcp.js) and loaded only by this command, so the MCP SDK
// never slows other commands down. It talks to the runner as an agent session; the runner, not this
// server, enforces what the session may do.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { AgentSessionId } from '../../api/agent';
import { VERSION } from '../../api/version';
import { registerCommandTools } from './commandTools';
import { registerEnvironmentTools } from './environmentTools';
import { registerResources, watchEnvironmentList } from './resources';
import { RunnerLink } from './runnerLink';
import type { ToolContext } from './toolKit';

const INSTRUCTIONS = `devrig runs isolated development containers ("environments") from a devcontainer.json, on this
machine's Docker engine. Use them as a sandbox: create one from a project folder (or git URL) with
"up", run commands in it with "exec" (not on the host), read its log with "logs", and delete what you
created when you are done. Environments you create see only their own workspace: no other host
folders, privileges or devices, and perhaps no network; the runner enforces this.`;

export interface McpOptions {
  stateDir: string;
  argv: string[];
}

export async function runMcp(opts: McpOptions): Promise<number> {
  const { values } = parseArgs({
    args: opts.argv,
    options: {
      folder: { type: 'string', multiple: true },
      'no-folders': { type: 'boolean', default: false },
      session: { type: 'string' },
    },
  });
  const session = values.session ?? `mcp-${randomBytes(4).toString('hex')}`;
  const valid = AgentSessionId.safeParse(session);
  if (!valid.success) {
    process.stderr.write(`devrig mcp: --session ${valid.error.issues[0]?.message}\n`);
    return 2;
  }
  const cwd = process.cwd();
  // Default: the folder the client started us in (where a CLI agent works).
  const given = values['no-folders'] ? [] : values.folder?.length ? values.folder : [cwd];
  const folders = given.map((f) => resolve(cwd, f));
  const link = new RunnerLink(opts.stateDir, { id: session, folders });
  const ctx: ToolContext = { link, cwd };

  const server = new McpServer({ name: 'devrig', version: VERSION }, { instructions: INSTRUCTIONS });
  registerEnvironmentTools(server, ctx);
  registerCommandTools(server, ctx);
  registerResources(server, ctx);

  let closeNow!: () => void;
  const closed = new Promise<void>((r) => (closeNow = r));
  const transport = new StdioServerTransport();
  transport.onclose = () => closeNow();
  server.server.oninitialized = () => {
    const who = server.server.getClientVersion();
    if (who) link.clientName = `${who.name} ${who.version}`.slice(0, 200);
    watchEnvironmentList(server, ctx, closed);
  };
  // Bad frames are the client's problem: say so on stderr (the client's log), keep serving.
  server.server.onerror = (e) => process.stderr.write(`devrig mcp: ${e.message}\n`);
  await server.connect(transport);
  process.stderr.write(
    `devrig mcp: serving agent session ${session} (folders: ${folders.join(', ') || 'only agents.folders'})\n`,
  );
  // The client ends the session by closing our stdin (or with a signal).
  process.stdin.once('end', () => closeNow());
  process.once('SIGTERM', () => closeNow());
  process.once('SIGINT', () => closeNow());
  await closed;
  await server.close().catch(() => {});
  link.close();
  // Everything written reaches the client before the process exits.
  await new Promise<void>((r) => process.stdout.write('', () => r()));
  return 0;
}
