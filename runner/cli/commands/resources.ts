import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Environment } from '../../api/environment';
import { withLocalEnv } from '../../client/captureLocalEnv';
import { specFor, updateEnvironmentSpec, type LifecycleVerb } from '../../client/updateEnvironment';
import { UsageError } from '../args';
import type { CliContext } from '../context';
import { environmentsTable } from '../output';
import { OUTPUT_OPTION, outputFormat, printStructured } from '../outputFormat';
import { waitForEnvironment } from '../wait';
import { followProgress } from './progress';
import { CONSENT_OPTIONS, consentFlags, settleConsent, specWithFlags, terminalIo } from '../consent';

export async function ls(ctx: CliContext, argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OUTPUT_OPTION });
  const format = outputFormat(values.output);
  const client = await ctx.client();
  const { items } = await client.call('list', { kind: 'Environment' });
  const envs = items.filter((e): e is Environment => e.kind === 'Environment');
  if (format) await printStructured(ctx, format, envs);
  else if (envs.length === 0) ctx.out('No environments. Create one with: devrig up [FOLDER]');
  else ctx.out(environmentsTable(envs));
  return 0;
}

export async function get(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { output: { type: 'string', short: 'o', default: 'yaml' } },
  });
  const [name] = positionals;
  if (!name) throw new UsageError('get needs a name');
  const client = await ctx.client();
  const r = await client.call('get', { kind: 'Environment', name });
  if (values.output === 'json') ctx.out(JSON.stringify(r, null, 2));
  else if (values.output === 'yaml') ctx.out((await import('yaml')).stringify(r));
  else throw new UsageError('-o must be json or yaml');
  return 0;
}

/** `apply -f FILE`: YAML or JSON, one or more documents, each validated before any is sent. */
export async function apply(ctx: CliContext, argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { file: { type: 'string', short: 'f' } } });
  if (!values.file) throw new UsageError('apply needs -f FILE');
  const text = values.file === '-' ? await readStdin() : await readFile(values.file, 'utf8');
  // yaml is loaded only when needed: it would cost every CLI start ~15 ms.
  const docs = (await import('yaml')).parseAllDocuments(text);
  // So are the schemas (zod): checked here before anything is sent, with the same messages.
  await import('../../api/zodJitless');
  const { ResourceApply, zodDetails } = await import('../../api');
  const resources = [];
  for (const doc of docs) {
    if (doc.errors.length) {
      const e = doc.errors[0]!;
      const [line, col] = e.linePos?.[0] ? [e.linePos[0].line, e.linePos[0].col] : [0, 0];
      throw new UsageError(`${values.file}:${line}:${col}: ${e.message.split('\n')[0]}`);
    }
    const value = doc.toJS();
    if (value === null || value === undefined) continue;
    const parsed = ResourceApply.safeParse(value);
    if (!parsed.success) {
      const details = zodDetails(parsed.error);
      throw new UsageError(`${values.file}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`);
    }
    // An Environment's ${localEnv:…} values are the caller's, unless the file gives them itself.
    if (value.kind === 'Environment' && value.spec && value.spec.localEnv === undefined) {
      value.spec = await withLocalEnv(value.spec);
    }
    resources.push(value);
  }
  const client = await ctx.client();
  for (const r of resources) {
    const out = await client.call('apply', { resource: r });
    ctx.out(`${out.kind.toLowerCase()}/${out.metadata.name} applied (generation ${out.metadata.generation})`);
  }
  return 0;
}

async function readStdin(): Promise<string> {
  let s = '';
  for await (const chunk of process.stdin) s += chunk;
  return s;
}

/** start/stop/restart/rebuild: change the desired state, then wait for the runner to get there. */
export async function setState(ctx: CliContext, verb: LifecycleVerb, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'no-wait': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '900' },
      ...(verb === 'stop' ? {} : CONSENT_OPTIONS),
    },
  });
  const [name] = positionals;
  if (!name) throw new UsageError(`${verb} needs a name`);
  const flags = consentFlags(values as Parameters<typeof consentFlags>[0]);
  const client = await ctx.client();
  const token = new Date().toISOString();
  const applied = await updateEnvironmentSpec(client, name, (cur) =>
    specWithFlags(specFor(verb, cur!.spec, token), flags),
  );
  if (values['no-wait']) return 0;
  const progress = followProgress(ctx, client, name);
  const wait = (generation: number) =>
    waitForEnvironment(
      client,
      name,
      generation,
      verb === 'stop' ? 'Stopped' : 'Running',
      Number(values.timeout) * 1000,
      progress.onChange,
    );
  const outcome = await settleConsent(await wait(applied.metadata.generation), {
    ctx,
    client,
    name,
    flags,
    io: terminalIo(),
    verb,
    argv,
    rerun: wait,
  });
  void progress.stop();
  if (!outcome.ok) {
    ctx.err(`devrig ${verb}: ${name}: ${outcome.reason}: ${outcome.message}`);
    return 1;
  }
  ctx.out(`environment ${name} is ${outcome.env.status.phase}`);
  return 0;
}

export async function del(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'no-wait': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '300' },
      // A Compose environment's named volumes (its compose files' `volumes:`) go too; kept otherwise.
      volumes: { type: 'boolean', default: false },
    },
  });
  if (positionals.length === 0) throw new UsageError('delete needs a name');
  const client = await ctx.client();
  for (const name of positionals) {
    const marked = await client.call('delete', {
      kind: 'Environment',
      name,
      ...(values.volumes ? { volumes: true } : {}),
    });
    if (!values['no-wait']) {
      const outcome = await waitForEnvironment(
        client,
        name,
        marked.metadata.generation,
        'Deleted',
        Number(values.timeout) * 1000,
        undefined,
        // The finalizer may finish before the watch starts: resume from the delete itself.
        marked.metadata.resourceVersion,
      );
      if (!outcome.ok) {
        ctx.err(`devrig delete: ${name}: ${outcome.message}`);
        return 1;
      }
    }
    ctx.out(`environment ${name} deleted`);
  }
  return 0;
}
