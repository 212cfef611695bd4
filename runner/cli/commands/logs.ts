import { parseArgs } from 'node:util';
import { UsageError } from '../args';
import type { CliContext } from '../context';

export async function logs(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      follow: { type: 'boolean', short: 'f', default: false },
      tail: { type: 'string' },
      source: { type: 'string' },
      service: { type: 'string' },
      timestamps: { type: 'boolean', short: 't', default: false },
    },
  });
  const [name] = positionals;
  if (!name) throw new UsageError('logs needs a name');
  const client = await ctx.client();
  const h = await client.stream(
    'logs',
    {
      name,
      follow: values.follow,
      tail: values.tail ? Number(values.tail) : undefined,
      source: values.source,
      service: values.service,
      ...(values.timestamps ? { timestamps: true } : {}),
    },
    (e) => process.stdout.write(e.data),
  );
  const stop = () => void h.cancel();
  process.once('SIGINT', stop);
  await h.done;
  return 0;
}
