import { parseArgs } from 'node:util';
import { findCondition } from '../../api/phase';
import { UsageError } from '../args';
import type { CliContext } from '../context';

type Command = (ctx: CliContext, argv: string[]) => Promise<number>;

const HELP = `devrig keepalive NAME                     count as activity: restarts the inactivity timeout
  Activity is SSH and terminal sessions and their traffic, API exec sessions, port-forward
  traffic and keepalives; background processes alone do not keep an environment running.`;

export const keepaliveCommands: Record<string, { run: Command; help: string }> = {
  keepalive: { run: keepalive, help: HELP },
};

async function keepalive(ctx: CliContext, argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  const [name] = positionals;
  if (!name || positionals.length > 1) throw new UsageError('keepalive needs one environment NAME');
  const client = await ctx.client();
  await client.call('keepalive', { name });
  const env = await client.call('get', { kind: 'Environment', name });
  const active = env.kind === 'Environment' ? findCondition(env.status.conditions, 'Active') : undefined;
  ctx.out(
    active?.status === 'True'
      ? `${name}: activity recorded; it ${active.message}`
      : `${name}: activity recorded (no inactivity timeout applies)`,
  );
  return 0;
}
