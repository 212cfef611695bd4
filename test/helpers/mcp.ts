import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CLI_JS, testEnv, type TestRunner } from './runnerProcess';

export interface McpSession {
  client: Client;
  /** What the server wrote to stderr so far. */
  stderr(): string;
  /** A tool call; its result as the client got it (isError results included). */
  call(
    name: string,
    args: Record<string, unknown>,
    opts?: { onprogress?: (p: unknown) => void },
  ): Promise<ToolResult>;
  close(): Promise<void>;
}

export type ToolResult = CallToolResult & { structuredContent?: Record<string, unknown> };

/**
 * `node dist/cli.js mcp [args]` against the test runner's state folder, driven by the MCP SDK's own
 * client over stdio, as an agent's MCP client does.
 */
export async function startMcp(r: TestRunner, args: string[], name = 'devrig-test'): Promise<McpSession> {
  let stderr = '';
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI_JS, 'mcp', ...args],
    env: { ...testEnv(), DEVRIG_STATE_DIR: r.stateDir } as Record<string, string>,
    stderr: 'pipe',
  });
  transport.stderr?.on('data', (d) => (stderr += d));
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(transport);
  return {
    client,
    stderr: () => stderr,
    call: async (tool, a, opts = {}) =>
      (await client.callTool({ name: tool, arguments: a }, undefined, {
        // Building and starting take longer than the SDK's 60 s default on a cold machine.
        timeout: 600_000,
        ...(opts.onprogress ? { onprogress: opts.onprogress, resetTimeoutOnProgress: true } : {}),
      })) as ToolResult,
    close: () => client.close(),
  };
}

/** The text of a tool result. */
export function textOf(r: CallToolResult): string {
  return r.content.map((c) => (c.type === 'text' ? c.text : '')).join('');
}
