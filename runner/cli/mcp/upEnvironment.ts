// `up` for an agent: find or create the environment for a folder or git URL (or by name), start it
// and wait for Ready, telling the client how it goes.
import { resolve } from 'node:path';
import { ApiError } from '../../api/apiError';
import type { Environment, EnvironmentSpecInput } from '../../api/environment';
import { updateEnvironmentSpec } from '../../client/updateEnvironment';
import { environmentForFolder, nameFromFolder, nameFromGitUrl, uniqueName } from '../../client/naming';
import { waitForEnvironment, type WaitOutcome } from '../wait';
import { audit, progressOf, visibleEnvironments, type ToolContext, type ToolExtra } from './toolKit';

export interface UpArgs {
  folder?: string;
  gitUrl?: string;
  gitRef?: string;
  name?: string;
  config?: string;
  network?: 'default' | 'none';
  timeoutSeconds: number;
}

/** Names agents' environments get: `agent-<folder>`, apart from the user's own at a glance. */
function baseName(args: UpArgs, folder: string | undefined): string {
  const from = folder ? nameFromFolder(folder) : nameFromGitUrl(args.gitUrl ?? '');
  return `agent-${from}`.slice(0, 40).replace(/-+$/, '');
}

export async function upEnvironment(
  ctx: ToolContext,
  args: UpArgs,
  extra: ToolExtra,
): Promise<{ env: Environment; created: boolean; outcome: WaitOutcome }> {
  if (args.folder && args.gitUrl) throw new ApiError('Invalid', 'give either folder or gitUrl, not both');
  const client = await ctx.link.client();
  const envs = await visibleEnvironments(client);
  const folder = args.folder ? resolve(ctx.cwd, args.folder) : undefined;
  let existing = args.name ? envs.find((e) => e.metadata.name === args.name) : undefined;
  if (!existing && folder) existing = environmentForFolder(envs, folder);
  if (!existing && args.gitUrl) {
    existing = envs.find(
      (e) => e.spec.source.git?.url === args.gitUrl && (e.spec.source.git?.ref ?? '') === (args.gitRef ?? ''),
    );
  }
  if (!existing && !folder && !args.gitUrl) {
    throw new ApiError(
      'Invalid',
      args.name
        ? `there is no environment "${args.name}" you can use: give a folder or gitUrl to create it`
        : 'give a folder or a gitUrl (or the name of an existing environment)',
    );
  }
  const source = folder
    ? { folder }
    : args.gitUrl
      ? { git: { url: args.gitUrl, ...(args.gitRef ? { ref: args.gitRef } : {}) } }
      : undefined;
  const mutate = (current: Environment | undefined): EnvironmentSpecInput => {
    const spec = current?.spec;
    return {
      ...(spec ?? {}),
      source: source ?? spec!.source,
      ...(args.config ? { devcontainer: { path: args.config } } : {}),
      ...(args.network ? { network: args.network } : {}),
      state: 'Running',
      // `up` on a failed environment means "try again", as for `devrig up`.
      ...(current?.status.phase === 'Failed' ? { restart: new Date().toISOString() } : {}),
    };
  };
  const taken = new Set(envs.map((e) => e.metadata.name));
  let name =
    existing?.metadata.name ?? args.name ?? uniqueName(baseName(args, folder), folder ?? args.gitUrl!, taken);
  let applied: Environment;
  for (let attempt = 0; ; attempt++) {
    try {
      applied = await updateEnvironmentSpec(client, name, mutate, {
        create: true,
        current: existing ?? null,
      });
      break;
    } catch (e) {
      // A name the agent cannot see is the user's: pick another one (unless the agent chose it).
      const hidden =
        e instanceof ApiError && e.code === 'Forbidden' && /not available to AI agents/.test(e.message);
      if (!hidden || existing || args.name || attempt >= 3) throw e;
      taken.add(name);
      name = uniqueName(baseName(args, folder), `${folder ?? args.gitUrl}#${attempt}`, taken);
    }
  }
  await audit(ctx, 'up', name, { ...args });
  const progress = progressOf(extra);
  progress(`${existing ? 'starting' : 'creating'} environment ${name}`);
  let lastPhase = '';
  let lastLog = 0;
  const logs = await client
    .stream('logs', { name, follow: true, tail: 0 }, (e) => {
      // A build prints a lot: one line now and then is enough to show it moves.
      if (Date.now() - lastLog < 500) return;
      lastLog = Date.now();
      const line = e.data.trimEnd().split('\n').pop();
      if (line) progress(`${lastPhase || 'Pending'}: ${line.slice(0, 200)}`);
    })
    .catch(() => undefined);
  const waiting = waitForEnvironment(
    client,
    name,
    applied.metadata.generation,
    'Running',
    args.timeoutSeconds * 1000,
    (env) => {
      if (env.status.phase !== lastPhase) progress(`${name}: ${(lastPhase = env.status.phase)}`);
    },
  );
  const cancelled = new Promise<WaitOutcome>((r) =>
    extra.signal.addEventListener(
      'abort',
      () =>
        r({
          ok: false,
          reason: 'Cancelled',
          message: 'the call was cancelled; the environment goes on starting',
        }),
      { once: true },
    ),
  );
  const outcome = await Promise.race([waiting, cancelled]);
  void logs?.cancel();
  const env = outcome.env ?? (await client.call('get', { kind: 'Environment', name }));
  return { env: env as Environment, created: !existing, outcome };
}
