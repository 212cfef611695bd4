import { parseArgs } from 'node:util';
import { UsageError } from '../args';
import type { CliContext } from '../context';
import { table } from '../output';
import { OUTPUT_OPTION, outputFormat, printStructured } from '../outputFormat';

type Command = (ctx: CliContext, argv: string[]) => Promise<number>;

const HELP = `devrig secret set|ls|rm                   secrets given to environments as environment variables
  devrig secret set NAME [--env ENV]        the value is read from stdin (or asked for, not echoed),
                                            never from the command line
  devrig secret ls [--env ENV] [-o json]    names only
  devrig secret rm NAME [--env ENV]
  Without --env a secret is for every environment; with it, for that one (and wins).
  Secrets reach sessions, lifecycle commands and automations, never container config or logs.`;

export const secretCommands: Record<string, { run: Command; help: string }> = {
  secret: { run: secret, help: HELP },
};

async function secret(ctx: CliContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { env: { type: 'string', short: 'e' }, ...OUTPUT_OPTION },
  });
  const environment = values.env;
  switch (sub) {
    case 'set': {
      const [name] = positionals;
      if (!name || positionals.length > 1) {
        throw new UsageError('secret set needs one NAME; the value comes from stdin, never the command line');
      }
      const value = await readValue(name);
      if (!value) throw new UsageError(`no value given for ${name}`);
      await (await ctx.client()).call('secrets.set', { name, value, environment });
      ctx.out(`set ${name}${environment ? ` for ${environment}` : ''}`);
      return 0;
    }
    case 'ls':
    case 'list': {
      const format = outputFormat(values.output);
      const { items } = await (await ctx.client()).call('secrets.list', { environment });
      if (format) await printStructured(ctx, format, items);
      else if (items.length === 0) ctx.out('No secrets. Add one with: devrig secret set NAME');
      else ctx.out(table([['NAME', 'ENVIRONMENT'], ...items.map((i) => [i.name, i.environment ?? '(all)'])]));
      return 0;
    }
    case 'rm':
    case 'delete': {
      const [name] = positionals;
      if (!name) throw new UsageError('secret rm needs a NAME');
      await (await ctx.client()).call('secrets.delete', { name, environment });
      ctx.out(`removed ${name}${environment ? ` for ${environment}` : ''}`);
      return 0;
    }
    default:
      throw new UsageError(`secret needs one of set, ls, rm${sub ? ` (not "${sub}")` : ''}`);
  }
}

/** From a pipe: all of stdin, one trailing newline dropped. From a terminal: asked, not echoed. */
async function readValue(name: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  process.stderr.write(`Value for ${name}: `);
  stdin.setRawMode(true);
  stdin.resume();
  let value = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        for (const ch of d.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            return resolve();
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            return reject(new UsageError('cancelled'));
          }
          if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
          else value += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
  return value;
}
