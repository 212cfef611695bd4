import { parseArgs } from 'node:util';
import type { PortStatus } from '../../api';
import { UsageError } from '../args';
import type { CliContext } from '../context';
import { table } from '../output';
import { OUTPUT_OPTION, outputFormat, printStructured } from '../outputFormat';

type Command = (ctx: CliContext, argv: string[]) => Promise<number>;

const HELP = `devrig ports NAME [-o json|yaml]          ports and where the runner forwards them
  Forwards are held by the runner on 127.0.0.1 while the environment runs: no IDE or SSH
  session is needed. forwardPorts come from devcontainer.json; other listening ports are found.`;

export const portsCommands: Record<string, { run: Command; help: string }> = {
  ports: { run: ports, help: HELP },
};

async function ports(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: OUTPUT_OPTION,
  });
  const [name] = positionals;
  if (!name) throw new UsageError('ports needs an environment NAME');
  const format = outputFormat(values.output);
  const client = await ctx.client();
  const env = await client.call('get', { kind: 'Environment', name });
  if (env.kind !== 'Environment') throw new UsageError(`${name} is not an environment`);
  if (format) await printStructured(ctx, format, env.status.ports);
  else if (env.status.ports.length === 0) {
    ctx.out(env.status.phase === 'Running' ? `${name} has no ports yet` : `${name} is ${env.status.phase}`);
  } else ctx.out(portsTable(env.status.ports));
  return 0;
}

function portsTable(items: PortStatus[]): string {
  const rows = [['PORT', 'LABEL', 'SOURCE', 'STATE', 'LOCAL', 'MESSAGE']];
  for (const p of items) {
    rows.push([
      String(p.port),
      p.label ?? '',
      p.source,
      p.state,
      p.url ?? (p.localPort ? `127.0.0.1:${p.localPort}` : ''),
      p.message ?? '',
    ]);
  }
  return table(rows);
}
