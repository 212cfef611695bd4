// The tools that run things in an environment and read what happened: exec, logs, run_task.
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { AutomationStatus } from '../../api/automations';
import type { RunnerClient } from '../../client/runnerClient';
import { watchUntil } from '../wait';
import { execCapture, type ExecOutcome } from './execCapture';
import { OutputCap } from './outputCap';
import { audit, environmentName, ok, tool, type ToolContext } from './toolKit';

/** What a log read may return to the agent (its end, where the news is). */
const LOG_BYTES = 200_000;

/** The log as text, within LOG_BYTES. */
export async function readLog(
  client: RunnerClient,
  name: string,
  tail: number | undefined,
  source?: string,
): Promise<string> {
  const cap = new OutputCap(LOG_BYTES);
  const h = await client.stream('logs', { name, follow: false, tail, source }, (e) =>
    cap.write(Buffer.from(e.data)),
  );
  await h.done;
  return cap.text('log');
}

function execText(command: string, r: ExecOutcome, timeoutSeconds: number): string {
  const parts = [r.stdout];
  if (r.stderr) parts.push(`${r.stdout && !r.stdout.endsWith('\n') ? '\n' : ''}[stderr]\n${r.stderr}`);
  const last = parts.join('');
  const sep = last && !last.endsWith('\n') ? '\n' : '';
  const end =
    r.ended === 'timeout'
      ? `[devrig: ended after the ${timeoutSeconds} s timeout: still running, so it was sent SIGTERM, then SIGKILL]`
      : r.ended === 'cancelled'
        ? '[devrig: ended: the call was cancelled]'
        : r.signal
          ? `[killed by signal ${r.signal}]`
          : `[exit code ${r.exitCode ?? 'unknown'}]`;
  return `$ ${command}\n${last}${sep}${end}`;
}

export function registerCommandTools(server: McpServer, ctx: ToolContext): void {
  tool(
    server,
    'exec',
    {
      title: 'Run a command in an environment',
      description:
        'Runs a shell command (sh -c) inside a running environment, in its workspace folder as its user, and ' +
        'returns stdout, stderr and the exit code. No input is given to it. Long output is cut in the middle ' +
        '(the beginning and the end are kept, with a note); a command still running at its timeout is ended.',
      input: {
        environment: environmentName,
        command: z.string().min(1).describe('The command line, run with sh -c'),
        workdir: z.string().optional().describe('Working folder in the container (default: the workspace)'),
        user: z.string().optional().describe('User to run as (default: the environment’s remote user)'),
        env: z.record(z.string(), z.string()).optional().describe('Extra environment variables'),
        timeoutSeconds: z
          .number()
          .min(1)
          .max(3600)
          .default(120)
          .describe('Seconds before the command is ended (default 120)'),
        maxOutputBytes: z
          .number()
          .int()
          .min(1024)
          .max(10_000_000)
          .default(100_000)
          .describe('Bytes of stdout and of stderr returned, each (default 100000)'),
      },
      output: {
        exitCode: z.number().nullable(),
        signal: z.string().optional(),
        stdout: z.string(),
        stderr: z.string(),
        stdoutBytes: z.number(),
        stderrBytes: z.number(),
        truncated: z.boolean(),
        ended: z.enum(['timeout', 'cancelled']).optional(),
        durationMs: z.number(),
      },
    },
    async (args, extra) => {
      await audit(ctx, 'exec', args.environment, args);
      const r = await execCapture(await ctx.link.client(), {
        environment: args.environment,
        command: ['/bin/sh', '-c', args.command],
        workdir: args.workdir,
        user: args.user,
        env: args.env,
        timeoutMs: args.timeoutSeconds * 1000,
        maxOutputBytes: args.maxOutputBytes,
        signal: extra.signal,
      });
      return ok(execText(args.command, r, args.timeoutSeconds), { ...r });
    },
  );

  tool(
    server,
    'logs',
    {
      title: 'Read an environment’s log',
      description:
        'The last lines of an environment’s log: image pulls and builds, lifecycle commands, errors, and the ' +
        'calls agents made. With source "service:ID" or "task:ID", an automation’s own log.',
      input: {
        environment: environmentName,
        tail: z.number().int().min(1).max(10_000).default(200).describe('Lines from the end (default 200)'),
        source: z.string().optional().describe('An automation log instead: "service:ID" or "task:ID"'),
      },
      output: { environment: z.string(), log: z.string() },
      annotations: { readOnlyHint: true },
    },
    async (args) => {
      await audit(ctx, 'logs', args.environment, args);
      const log = await readLog(await ctx.link.client(), args.environment, args.tail, args.source);
      return ok(log || '(the log is empty)', { environment: args.environment, log });
    },
  );

  tool(
    server,
    'run_task',
    {
      title: 'Run an automation task',
      description:
        'Runs a task of the environment’s automations (.devrig/automations.yaml: e.g. install, test, build), ' +
        'after the tasks it depends on, waits for it and returns its exit code and the end of its log.',
      input: {
        environment: environmentName,
        task: z.string().min(1).describe('The task id, as in automations.yaml'),
        timeoutSeconds: z
          .number()
          .int()
          .min(1)
          .max(3600)
          .default(600)
          .describe('Seconds to wait (default 600)'),
      },
      output: {
        task: z.string(),
        phase: z.string(),
        exitCode: z.number().optional(),
        message: z.string(),
        log: z.string(),
      },
    },
    async (args) => {
      await audit(ctx, 'run_task', args.environment, args);
      const client = await ctx.link.client();
      const since = new Date().toISOString();
      await client.call('automations.run', { name: args.environment, id: args.task });
      const done = await watchUntil<AutomationStatus | undefined>(
        client,
        { kind: 'Environment', name: args.environment },
        (e, finish) => {
          if (e.object.kind !== 'Environment') return;
          const t = e.object.status.automations.find((a) => a.kind === 'task' && a.id === args.task);
          if (t && (t.phase === 'Succeeded' || t.phase === 'Failed') && (t.finishedAt ?? '') >= since)
            finish(t);
        },
        { timeoutMs: args.timeoutSeconds * 1000, onTimeout: () => undefined },
      );
      const log = await readLog(client, args.environment, 50, `task:${args.task}`);
      if (!done) throw new Error(`task ${args.task} did not finish within ${args.timeoutSeconds} s\n${log}`);
      const structured = {
        task: args.task,
        phase: done.phase,
        ...(done.exitCode !== undefined ? { exitCode: done.exitCode } : {}),
        message: done.message,
        log,
      };
      return ok(
        `task ${args.task}: ${done.phase}${done.message ? ` (${done.message})` : ''}\n${log}`,
        structured,
      );
    },
  );
}
