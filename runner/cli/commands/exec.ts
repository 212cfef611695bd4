import { parseArgs } from 'node:util';
import { splitDashDash, UsageError } from '../args';
import type { CliContext } from '../context';

/** `devrig exec NAME [-i] [-t] [-u USER] [-w DIR] [-e K=V] -- CMD...`, exit code passed through. */
export async function exec(ctx: CliContext, argv: string[]): Promise<number> {
  const { before, after } = splitDashDash(argv);
  const { values, positionals } = parseArgs({
    args: before,
    allowPositionals: true,
    options: {
      interactive: { type: 'boolean', short: 'i', default: false },
      tty: { type: 'boolean', short: 't', default: false },
      user: { type: 'string', short: 'u' },
      workdir: { type: 'string', short: 'w' },
      env: { type: 'string', short: 'e', multiple: true },
    },
  });
  const [name, ...rest] = positionals;
  if (!name) throw new UsageError('exec needs a name');
  const command = after ?? rest;
  const env: Record<string, string> = {};
  for (const kv of values.env ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`-e wants NAME=VALUE, got "${kv}"`);
    env[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const tty = values.tty && !!process.stdout.isTTY;
  const client = await ctx.client();
  if (tty && command.length === 0) {
    // A person attaching with a shell: postAttachCommand first, as for an interactive ssh.
    await client
      .call('attach', { name })
      .catch((e: Error) => ctx.err(`devrig: postAttachCommand failed: ${e.message}`));
  }
  let code: number | null = null;
  const h = await client.stream(
    'exec',
    {
      name,
      command: command.length ? command : undefined,
      tty,
      cols: tty ? process.stdout.columns : undefined,
      rows: tty ? process.stdout.rows : undefined,
      user: values.user,
      workdir: values.workdir,
      env: { ...env, ...(tty && process.env.TERM ? { TERM: process.env.TERM } : {}) },
    },
    (e) => {
      if (e.kind === 'stdout') process.stdout.write(Buffer.from(e.data, 'base64'));
      else if (e.kind === 'stderr') process.stderr.write(Buffer.from(e.data, 'base64'));
      else code = e.code;
    },
  );
  const interactive = values.interactive || tty;
  if (interactive) {
    if (tty && process.stdin.isTTY) process.stdin.setRawMode(true);
    // One chunk in flight at a time: the runner answers once the process took it.
    process.stdin.on('data', (d: Buffer) => {
      process.stdin.pause();
      void client
        .call('exec.input', { id: h.id, data: d.toString('base64') })
        .catch(() => {})
        .finally(() => process.stdin.resume());
    });
    process.stdin.on('end', () => void client.call('exec.input', { id: h.id, eof: true }).catch(() => {}));
    if (tty) {
      process.stdout.on(
        'resize',
        () =>
          void client
            .call('exec.resize', { id: h.id, cols: process.stdout.columns, rows: process.stdout.rows })
            .catch(() => {}),
      );
    }
  } else {
    // A quick command may have finished (and its stream closed) already: nothing to tell it.
    await client.call('exec.input', { id: h.id, eof: true }).catch(() => {});
  }
  if (!tty) {
    process.on('SIGINT', () => void client.call('exec.signal', { id: h.id, signal: 'INT' }).catch(() => {}));
    process.on(
      'SIGTERM',
      () => void client.call('exec.signal', { id: h.id, signal: 'TERM' }).catch(() => {}),
    );
  }
  try {
    await h.done;
  } finally {
    if (tty && process.stdin.isTTY) process.stdin.setRawMode(false);
    process.stdin.pause();
  }
  return code ?? 255;
}
