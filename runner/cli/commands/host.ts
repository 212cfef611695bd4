import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseHostAddress } from '../../client/hostAddress';
import type { Host, HostApply } from '../../api/host';
import { findCondition } from '../../api/phase';
import type { RunnerClient } from '../../client/runnerClient';
import { watchUntil } from '../wait';
import { UsageError } from '../args';
import type { CliContext } from '../context';
import { age, table } from '../output';
import { OUTPUT_OPTION, outputFormat, printStructured } from '../outputFormat';

type Command = (ctx: CliContext, argv: string[]) => Promise<number>;

const HELP = `devrig host add|ls|get|rm|accept-key       remote machines over SSH
  devrig host add NAME USER@ADDRESS[:PORT] [--identity FILE] [--mode docker|plain]
        [--docker-socket PATH] [--workspace-root DIR] [--max-environments N] [--cpus N]
        [--memory SIZE] [--label KEY=VALUE]... [--host-key "ssh-ed25519 AAAA..."]
        [--accept-new] [--no-wait] [--timeout SECONDS]
      Adds (or updates) a host. Its host key must be trusted before anything runs there:
      --host-key pins a key you got out of band; --accept-new trusts the key it presents on
      first contact (like StrictHostKeyChecking=accept-new; a changed key is still refused);
      otherwise run devrig host accept-key NAME after checking the fingerprint.
  devrig host ls [-o json|yaml]
  devrig host get NAME [-o json|yaml]
  devrig host rm NAME [--no-wait]           waits until no environment is placed on it
  devrig host accept-key NAME [--key LINE]  trust the key the host presented (or LINE)`;

export const hostCommands: Record<string, { run: Command; help: string }> = {
  host: { run: host, help: HELP },
};

async function host(ctx: CliContext, argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'add':
      return add(ctx, rest);
    case 'ls':
    case 'list':
      return ls(ctx, rest);
    case 'get':
      return get(ctx, rest);
    case 'rm':
    case 'remove':
    case 'delete':
      return rm(ctx, rest);
    case 'accept-key':
      return acceptKey(ctx, rest);
    default:
      throw new UsageError(`host needs one of add, ls, get, rm, accept-key${sub ? ` (not "${sub}")` : ''}`);
  }
}

async function add(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      identity: { type: 'string', short: 'i' },
      mode: { type: 'string', default: 'docker' },
      'docker-socket': { type: 'string' },
      'workspace-root': { type: 'string' },
      'max-environments': { type: 'string' },
      cpus: { type: 'string' },
      memory: { type: 'string' },
      label: { type: 'string', short: 'l', multiple: true },
      'host-key': { type: 'string' },
      'accept-new': { type: 'boolean', default: false },
      'no-wait': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '60' },
    },
  });
  const [name, target] = positionals;
  if (!name || !target || positionals.length > 2)
    throw new UsageError('host add needs NAME USER@ADDRESS[:PORT]');
  const address = parseHostAddress(target);
  if ('error' in address) throw new UsageError(address.error);
  if (values.mode !== 'docker' && values.mode !== 'plain') throw new UsageError('--mode is docker or plain');
  const labels: Record<string, string> = {};
  for (const kv of values.label ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`--label wants KEY=VALUE, got "${kv}"`);
    labels[kv.slice(0, i)] = kv.slice(i + 1);
  }
  const num = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} wants a positive number`);
    return n;
  };
  const capacity = {
    maxEnvironments: num('max-environments', values['max-environments']),
    cpus: num('cpus', values.cpus),
    memory: values.memory,
  };
  const client = await ctx.client();
  const existing = await client.call('get', { kind: 'Host', name }).catch(() => undefined);
  const prev = existing?.kind === 'Host' ? existing : undefined;
  const resource: HostApply = {
    kind: 'Host',
    metadata: { name, labels: Object.keys(labels).length ? labels : (prev?.metadata.labels ?? {}) },
    spec: {
      address: address.address,
      port: address.port,
      user: address.user,
      mode: values.mode,
      // The runner resolves nothing against the CLI's folder: make the path absolute here.
      ...(values.identity ? { identityFile: resolve(values.identity.replace(/^~(?=\/)/, homedir())) } : {}),
      ...(values['docker-socket'] ? { dockerSocket: values['docker-socket'] } : {}),
      ...(values['workspace-root'] ? { workspaceRoot: values['workspace-root'] } : {}),
      ...(Object.values(capacity).some((v) => v !== undefined) ? { capacity } : {}),
      // Re-adding keeps a key already trusted unless another is given.
      ...((values['host-key'] ?? prev?.spec.hostKey)
        ? { hostKey: values['host-key'] ?? prev?.spec.hostKey }
        : {}),
    },
  };
  await client.call('apply', { resource });
  ctx.out(`host/${name} applied`);
  if (values['no-wait'] && !values['accept-new']) return 0;
  const deadline = Date.now() + Number(values.timeout) * 1000;
  let h = await waitForHost(client, name, (x) => settled(x, values['accept-new']), deadline);
  if (values['accept-new'] && reasonOf(h) === 'AwaitingAcceptance' && h.status.observedHostKey) {
    await client.call('host.acceptKey', { name, hostKey: h.status.observedHostKey });
    ctx.out(`trusted ${name}'s host key ${h.status.observedHostKeyFingerprint} on first use`);
    if (values['no-wait']) return 0;
    h = await waitForHost(
      client,
      name,
      (x) => settled(x, false) && reasonOf(x) !== 'AwaitingAcceptance',
      deadline,
    );
  }
  return report(ctx, h);
}

/** Connected (or refused for a reason a person must act on). */
function settled(h: Host, awaitKey: boolean): boolean {
  if (h.status.observedGeneration < h.metadata.generation) return false;
  const reason = reasonOf(h);
  if (awaitKey && reason === 'AwaitingAcceptance') return !!h.status.observedHostKey;
  return h.status.phase !== 'Pending' || reason === 'AwaitingAcceptance';
}

function reasonOf(h: Host): string | undefined {
  return findCondition(h.status.conditions, 'Ready')?.reason;
}

function report(ctx: CliContext, h: Host): number {
  const ready = findCondition(h.status.conditions, 'Ready');
  if (h.status.phase === 'Ready') {
    ctx.out(`host ${h.metadata.name} is Ready: ${h.status.serverInfo ?? ''}`);
    return 0;
  }
  if (ready?.reason === 'AwaitingAcceptance') {
    ctx.out(
      `host ${h.metadata.name} presented ${h.status.observedHostKey?.split(' ')[0]} key ${h.status.observedHostKeyFingerprint}\n` +
        `check it with the machine's owner (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub there), then: devrig host accept-key ${h.metadata.name}`,
    );
    return 0;
  }
  ctx.err(`host ${h.metadata.name} is ${h.status.phase}: ${ready?.reason}: ${ready?.message}`);
  return 1;
}

function waitForHost(
  client: RunnerClient,
  name: string,
  pred: (h: Host) => boolean,
  deadline: number,
): Promise<Host> {
  let last: Host | undefined;
  return watchUntil<Host>(
    client,
    { kind: 'Host', name },
    (e, done) => {
      if (e.object.kind !== 'Host') return;
      if (e.type === 'DELETED') throw new Error(`host ${name} was removed`);
      last = e.object;
      if (pred(e.object)) done(e.object);
    },
    {
      timeoutMs: deadline - Date.now(),
      onTimeout: () => {
        if (!last) throw new Error(`host ${name}: no status within the timeout`);
        return last;
      },
    },
  );
}

async function ls(ctx: CliContext, argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OUTPUT_OPTION });
  const format = outputFormat(values.output);
  const client = await ctx.client();
  const hosts = (await client.call('list', { kind: 'Host' })).items.filter(
    (h): h is Host => h.kind === 'Host',
  );
  if (format) await printStructured(ctx, format, hosts);
  else if (hosts.length === 0)
    ctx.out('No remote hosts (only local). Add one with: devrig host add NAME USER@ADDRESS');
  else ctx.out(hostsTable(hosts));
  return 0;
}

function hostsTable(hosts: Host[], now = Date.now()): string {
  const rows = [['NAME', 'ADDRESS', 'MODE', 'PHASE', 'ENVS', 'FREE', 'LAST SEEN', 'MESSAGE']];
  for (const h of hosts) {
    const ready = findCondition(h.status.conditions, 'Ready');
    rows.push([
      h.metadata.name,
      `${h.spec.user}@${h.spec.address}:${h.spec.port}`,
      h.spec.mode,
      h.status.phase,
      String(h.status.environments.length),
      h.status.free?.environments !== undefined ? String(h.status.free.environments) : '-',
      h.status.lastSeen ? `${age(h.status.lastSeen, now)} ago` : '-',
      ready && ready.status !== 'True' ? `${ready.reason}: ${ready.message}`.slice(0, 100) : '',
    ]);
  }
  return table(rows);
}

async function get(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { output: { type: 'string', short: 'o', default: 'yaml' } },
  });
  const [name] = positionals;
  if (!name) throw new UsageError('host get needs a name');
  const r = await (await ctx.client()).call('get', { kind: 'Host', name });
  if (values.output === 'json') ctx.out(JSON.stringify(r, null, 2));
  else if (values.output === 'yaml') ctx.out((await import('yaml')).stringify(r));
  else throw new UsageError('-o must be json or yaml');
  return 0;
}

async function rm(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'no-wait': { type: 'boolean', default: false }, timeout: { type: 'string', default: '60' } },
  });
  const [name] = positionals;
  if (!name) throw new UsageError('host rm needs a name');
  const client = await ctx.client();
  const marked = await client.call('delete', { kind: 'Host', name });
  if (!values['no-wait'] && marked.metadata.finalizers.length > 0) {
    const deadline = Date.now() + Number(values.timeout) * 1000;
    let last: Host | undefined;
    const gone = await watchUntil<Host | undefined>(
      client,
      // From the deletion's own version: a removal that already happened is replayed.
      { kind: 'Host', name, resourceVersion: marked.metadata.resourceVersion },
      (e, done) => {
        if (e.object.kind !== 'Host') return;
        if (e.type === 'DELETED') done(undefined);
        else last = e.object;
      },
      { timeoutMs: deadline - Date.now(), onTimeout: () => last, onBroken: () => last },
    );
    if (gone) {
      ctx.err(
        `devrig host rm: ${name} is not removed yet: ${findCondition(gone.status.conditions, 'Ready')?.message ?? gone.status.phase}`,
      );
      return 1;
    }
  }
  ctx.out(`host ${name} removed`);
  return 0;
}

async function acceptKey(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { key: { type: 'string' } },
  });
  const [name] = positionals;
  if (!name) throw new UsageError('host accept-key needs a name');
  const client = await ctx.client();
  const h = await client.call('get', { kind: 'Host', name });
  if (h.kind !== 'Host') throw new UsageError(`${name} is not a host`);
  const key = values.key ?? h.status.observedHostKey;
  if (!key) {
    ctx.err(
      `devrig host accept-key: ${name} has not presented a key yet (is it reachable?); pass one with --key`,
    );
    return 1;
  }
  const verified = findCondition(h.status.conditions, 'HostKeyVerified');
  if (verified?.reason === 'HostKeyMismatch') {
    ctx.err(`WARNING: replacing the trusted key of ${name}. ${verified.message}`);
  }
  const updated = await client.call('host.acceptKey', { name, hostKey: key });
  const fp = updated.kind === 'Host' ? updated.status.observedHostKeyFingerprint : undefined;
  ctx.out(
    `host ${name}: trusting ${key.split(' ')[0]} key${fp && key === h.status.observedHostKey ? ` ${fp}` : ''}`,
  );
  return 0;
}
