// The environment tools: list, up, ports, stop, delete.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { Environment } from '../../api/environment';
import { specFor, updateEnvironmentSpec } from '../../client/updateEnvironment';
import { waitForEnvironment } from '../wait';
import {
  audit,
  environmentName,
  EnvironmentSummary,
  ok,
  portUrl,
  summarize,
  summaryLine,
  tool,
  type ToolContext,
  visibleEnvironments,
} from './toolKit';
import { upEnvironment } from './upEnvironment';

const timeout = (dflt: number, what: string) =>
  z.number().int().min(1).max(3600).default(dflt).describe(`Seconds to wait for ${what} (default ${dflt})`);

export function registerEnvironmentTools(server: McpServer, ctx: ToolContext): void {
  const session = ctx.link.session.id;

  tool(
    server,
    'list_environments',
    {
      title: 'List environments',
      description:
        'Lists the devrig environments (isolated dev containers) you may use: the ones AI agents created, and ' +
        'those the user shared with agents. Each has a phase (Running, Stopped, Building, Failed, …).',
      input: {},
      output: { environments: z.array(z.object(EnvironmentSummary)) },
      annotations: { readOnlyHint: true },
    },
    async () => {
      const envs = (await visibleEnvironments(await ctx.link.client())).map((e) => summarize(e, session));
      const text = envs.length
        ? envs.map(summaryLine).join('\n')
        : 'No environments yet. Create one from a folder or git repository with the up tool.';
      return ok(text, { environments: envs });
    },
  );

  tool(
    server,
    'up',
    {
      title: 'Create or start an environment',
      description:
        'Creates (or starts) an isolated dev container from a folder or git repository with a devcontainer.json, ' +
        'and waits until it is ready. Run commands in it with exec. It sees only its own workspace; with ' +
        'network "none" it has no network at all.',
      input: {
        folder: z
          .string()
          .optional()
          .describe('A folder on this machine (absolute, or relative to the server)'),
        gitUrl: z
          .string()
          .optional()
          .describe('A git repository URL (https or ssh) to clone instead of a folder'),
        gitRef: z.string().optional().describe('Branch, tag or commit of gitUrl'),
        name: z
          .string()
          .optional()
          .describe('Name of an existing environment to start, or of the new one (1-40 of a-z 0-9 -)'),
        config: z.string().optional().describe('Path of the devcontainer.json, relative to the folder'),
        network: z.enum(['default', 'none']).optional().describe('"none": no network inside the container'),
        timeoutSeconds: timeout(900, 'it to be ready'),
      },
      output: { ...EnvironmentSummary, created: z.boolean(), ready: z.boolean() },
      annotations: { idempotentHint: true },
    },
    async (args, extra) => {
      const { env, created, outcome } = await upEnvironment(ctx, args, extra);
      const s = summarize(env, session);
      const structured = { ...s, created, ready: outcome.ok };
      if (!outcome.ok) {
        return {
          isError: true,
          content: [{ type: 'text', text: `${s.name} is not ready: ${outcome.reason}: ${outcome.message}` }],
          structuredContent: structured,
        };
      }
      const text =
        `Environment ${s.name} is ready (${created ? 'created' : 'started'}). Workspace ${s.workspaceFolder} as ` +
        `${s.remoteUser}${s.network === 'none' ? '; no network' : ''}. Run commands with exec.`;
      return ok(text, structured);
    },
  );

  tool(
    server,
    'ports',
    {
      title: 'Ports of an environment',
      description: 'Lists the ports of an environment and the local URLs where the runner forwards them.',
      input: { environment: environmentName },
      output: {
        environment: z.string(),
        ports: z.array(
          z.object({
            port: z.number(),
            label: z.string().optional(),
            state: z.string(),
            url: z.string().optional(),
            listening: z.boolean().optional(),
            message: z.string().optional(),
          }),
        ),
      },
      annotations: { readOnlyHint: true },
    },
    async (args) => {
      await audit(ctx, 'ports', args.environment, args);
      const env = (await (
        await ctx.link.client()
      ).call('get', {
        kind: 'Environment',
        name: args.environment,
      })) as Environment;
      const ports = env.status.ports.map((p) => ({
        port: p.port,
        label: p.label,
        state: p.state,
        url: portUrl(p),
        listening: p.listening,
        message: p.message,
      }));
      const text = ports.length
        ? ports
            .map((p) => `${p.port}${p.label ? ` (${p.label})` : ''}  ${p.state}  ${p.url ?? ''}`)
            .join('\n')
        : `${env.metadata.name} has no ports (${env.status.phase})`;
      return ok(text, { environment: env.metadata.name, ports });
    },
  );

  tool(
    server,
    'stop',
    {
      title: 'Stop an environment',
      description: 'Stops an environment; its workspace is kept and up starts it again.',
      input: { environment: environmentName, timeoutSeconds: timeout(120, 'it to stop') },
      output: { name: z.string(), phase: z.string() },
      annotations: { idempotentHint: true },
    },
    async (args) => {
      await audit(ctx, 'stop', args.environment, args);
      const client = await ctx.link.client();
      const token = new Date().toISOString();
      const applied = await updateEnvironmentSpec(client, args.environment, (cur) =>
        specFor('stop', cur!.spec, token),
      );
      const outcome = await waitForEnvironment(
        client,
        args.environment,
        applied.metadata.generation,
        'Stopped',
        args.timeoutSeconds * 1000,
      );
      if (!outcome.ok) throw new Error(`${args.environment}: ${outcome.reason}: ${outcome.message}`);
      return ok(`${args.environment} is Stopped`, {
        name: args.environment,
        phase: outcome.env.status.phase,
      });
    },
  );

  tool(
    server,
    'delete',
    {
      title: 'Delete an environment',
      description:
        'Deletes an environment this session created: its container and devrig-owned volumes are removed. ' +
        'Environments created by the user or by other agent sessions cannot be deleted.',
      input: { environment: environmentName, timeoutSeconds: timeout(300, 'it to be gone') },
      output: { name: z.string(), deleted: z.boolean() },
      annotations: { destructiveHint: true, idempotentHint: true },
    },
    async (args) => {
      await audit(ctx, 'delete', args.environment, args);
      const client = await ctx.link.client();
      const marked = await client.call('delete', { kind: 'Environment', name: args.environment });
      const outcome = await waitForEnvironment(
        client,
        args.environment,
        marked.metadata.generation,
        'Deleted',
        args.timeoutSeconds * 1000,
        undefined,
        // The finalizer may finish before the watch starts: resume from the delete itself.
        marked.metadata.resourceVersion,
      );
      if (!outcome.ok) throw new Error(`${args.environment}: ${outcome.message}`);
      return ok(`${args.environment} deleted`, { name: args.environment, deleted: true });
    },
  );
}
