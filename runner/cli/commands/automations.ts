import { parseArgs } from 'node:util';
import type { AutomationStatus } from '../../api/automations';
import type { Environment } from '../../api/environment';
import { findCondition } from '../../api/phase';
import type { RunnerClient } from '../../client/runnerClient';
import { watchUntil } from '../wait';
import { UsageError } from '../args';
import type { CliContext } from '../context';
import { age, table } from '../output';
import { OUTPUT_OPTION, outputFormat, printStructured } from '../outputFormat';

type Command = (ctx: CliContext, argv: string[]) => Promise<number>;

const HELP = `devrig automations ls|start|stop|run|logs services and tasks of an environment
  devrig automations ls NAME [-o json|yaml]  each service and task with its state
  devrig automations start NAME ID           start a service (or run a task)
  devrig automations stop NAME ID            stop a service (its stop command, then its processes)
  devrig automations run NAME ID [--no-wait] run a task and what it depends on; waits and
                                             exits with the task's exit code
  devrig automations logs NAME ID [-f] [--tail N]
  Services and tasks come from .devrig/automations.yaml in the workspace and spec.automations.`;

export const automationsCommands: Record<string, { run: Command; help: string }> = {
  automations: { run: automations, help: HELP },
};

async function automations(ctx: CliContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'ls':
    case 'list':
      return ls(ctx, rest);
    case 'start':
    case 'stop':
      return startStop(ctx, sub, rest);
    case 'run':
      return run(ctx, rest);
    case 'logs':
      return logs(ctx, rest);
    default:
      throw new UsageError(
        `automations needs one of ls, start, stop, run, logs${sub ? ` (not "${sub}")` : ''}`,
      );
  }
}

async function environment(client: RunnerClient, name: string): Promise<Environment> {
  const r = await client.call('get', { kind: 'Environment', name });
  if (r.kind !== 'Environment') throw new UsageError(`${name} is not an environment`);
  return r;
}

async function ls(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: OUTPUT_OPTION,
  });
  const [name] = positionals;
  if (!name) throw new UsageError('automations ls needs an environment NAME');
  const format = outputFormat(values.output);
  const env = await environment(await ctx.client(), name);
  if (format) {
    await printStructured(ctx, format, env.status.automations);
    return 0;
  }
  const cond = findCondition(env.status.conditions, 'AutomationsReady');
  if (env.status.automations.length === 0) {
    ctx.out(cond?.status === 'False' ? `${cond.reason}: ${cond.message}` : `${name} has no automations`);
    return cond?.status === 'False' ? 1 : 0;
  }
  ctx.out(automationsTable(env.status.automations));
  if (cond && cond.status !== 'True') ctx.out(`\n${cond.reason}: ${cond.message}`);
  return 0;
}

function automationsTable(items: AutomationStatus[], now = Date.now()): string {
  const rows = [['KIND', 'ID', 'PHASE', 'RESTARTS', 'EXIT', 'AGE', 'MESSAGE']];
  for (const a of items) {
    rows.push([
      a.kind,
      a.id,
      a.phase,
      a.kind === 'service' ? String(a.restarts) : '',
      a.exitCode === undefined ? '' : String(a.exitCode),
      a.startedAt ? age(a.startedAt, now) : '',
      a.message.replace(/\s+/g, ' '),
    ]);
  }
  return table(rows);
}

async function startStop(ctx: CliContext, verb: 'start' | 'stop', argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  const [name, id] = positionals;
  if (!name || !id) throw new UsageError(`automations ${verb} needs NAME ID`);
  const client = await ctx.client();
  await client.call(verb === 'start' ? 'automations.start' : 'automations.stop', { name, id });
  ctx.out(`${verb === 'start' ? 'started' : 'stopped'} ${id}`);
  return 0;
}

async function run(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'no-wait': { type: 'boolean', default: false } },
  });
  const [name, id] = positionals;
  if (!name || !id) throw new UsageError('automations run needs NAME ID');
  const client = await ctx.client();
  const since = new Date().toISOString();
  await client.call('automations.run', { name, id });
  if (values['no-wait']) {
    ctx.out(`started ${id}`);
    return 0;
  }
  const logs = await client.stream('logs', { name, source: `task:${id}`, follow: true, tail: 0 }, (e) =>
    process.stdout.write(e.data),
  );
  try {
    const done = await finished(client, name, id, since);
    if (done.phase === 'Succeeded') return 0;
    ctx.err(`${id}: ${done.message}`);
    return done.exitCode || 1;
  } finally {
    await logs.cancel();
  }
}

/** Waits until the task's run that began at or after `since` has ended. */
function finished(client: RunnerClient, name: string, id: string, since: string): Promise<AutomationStatus> {
  return watchUntil<AutomationStatus>(client, { kind: 'Environment', name }, (e, done) => {
    if (e.object.kind !== 'Environment') return;
    const t = e.object.status.automations.find((a) => a.kind === 'task' && a.id === id);
    const ended = t && (t.phase === 'Succeeded' || t.phase === 'Failed');
    if (t && ended && (t.finishedAt ?? '') >= since) done(t);
  });
}

async function logs(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { follow: { type: 'boolean', short: 'f', default: false }, tail: { type: 'string' } },
  });
  const [name, id] = positionals;
  if (!name || !id) throw new UsageError('automations logs needs NAME ID');
  const client = await ctx.client();
  const env = await environment(client, name);
  const kind = env.status.automations.find((a) => a.id === id)?.kind ?? 'service';
  const h = await client.stream(
    'logs',
    {
      name,
      source: `${kind}:${id}`,
      follow: values.follow,
      tail: values.tail !== undefined ? Number(values.tail) : undefined,
    },
    (e) => process.stdout.write(e.data),
  );
  process.once('SIGINT', () => void h.cancel());
  await h.done;
  return 0;
}
