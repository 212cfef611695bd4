import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { Environment } from '../../api';
import { captureLocalEnv } from '../../client/captureLocalEnv';
import { updateEnvironmentSpec } from '../../client/updateEnvironment';
import { environmentForFolder, nameFromFolder, uniqueName } from '../../client/naming';
import { UsageError } from '../args';
import type { CliContext } from '../context';
import { waitForEnvironment } from '../wait';
import { consentRequest } from '../../client/consent';
import {
  CONSENT_HELP,
  CONSENT_OPTIONS,
  consentFlags,
  settleConsent,
  specWithFlags,
  terminalIo,
} from '../consent';
import { followProgress } from './progress';
import { FEATURE_OPTIONS, FEATURES_HELP, featureFlags } from '../featureFlags';
import { trace } from '../trace';
import { OUTPUT_OPTION, outputFormat } from '../outputFormat';

export const upHelp = `devrig up [FOLDER] [--name NAME] [--config PATH] [--host HOST] [--allow LIST] [--json | -o json] [--no-wait] [--timeout SECONDS]
  Creates or updates the environment for FOLDER (default: the current folder) from its
  devcontainer.json, starts it and waits until it is Ready. --host places a new environment
  on a remote host (see devrig host); the folder is uploaded there. Host access the config asks
  for (privileged, host network, the Docker socket …) needs consent: on a terminal devrig asks,
  elsewhere it prints the flags to pass.
${CONSENT_HELP}
${FEATURES_HELP}`;

export async function up(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      config: { type: 'string' },
      host: { type: 'string' },
      json: { type: 'boolean', default: false },
      ...OUTPUT_OPTION,
      'no-wait': { type: 'boolean', default: false },
      timeout: { type: 'string', default: '900' },
      ...CONSENT_OPTIONS,
      'frozen-lockfile': FEATURE_OPTIONS['frozen-lockfile'],
    },
  });
  const flags = consentFlags(values);
  // `up` says whether the lockfile is frozen for this run: the flag, or not.
  const frozen = featureFlags({ 'frozen-lockfile': values['frozen-lockfile'] ?? false }).frozenLockfile;
  if (positionals.length > 1) throw new UsageError('up takes one folder');
  // `-o json` says what --json says (one JSON line), as for every other command.
  const json = values.json || outputFormat(values.output, ['json']) === 'json';
  const folder = resolve(positionals[0] ?? '.');
  if (!existsSync(folder)) throw new UsageError(`${folder} does not exist`);
  if (!statSync(folder).isDirectory()) throw new UsageError(`${folder} is not a folder`);
  trace('up: start');
  const client = await ctx.client();
  trace('up: connected');
  const existing = (await client.call('list', { kind: 'Environment' })).items.filter(
    (e): e is Environment => e.kind === 'Environment',
  );
  // Named as the extension names it (the same functions), so both find each other's environment.
  const name =
    values.name ??
    environmentForFolder(existing, folder)?.metadata.name ??
    uniqueName(nameFromFolder(folder), folder, new Set(existing.map((e) => e.metadata.name)));
  trace('up: listed');
  const known = existing.find((e) => e.metadata.name === name);
  // ${localEnv:…} is this shell's, not the runner's: captured for exactly the variables the config uses.
  const localEnv = await captureLocalEnv({
    source: { folder },
    devcontainer: values.config ? { path: values.config } : known?.spec.devcontainer,
  });
  trace('up: localEnv');
  // Read-modify-write: a change made meanwhile (another window, `devrig stop`) is kept, not lost.
  const applied = await updateEnvironmentSpec(
    client,
    name,
    (current) => ({
      ...specWithFlags(current?.spec ?? {}, flags),
      source: { folder },
      ...(values.config
        ? { devcontainer: { path: values.config } }
        : current?.spec.devcontainer
          ? { devcontainer: current.spec.devcontainer }
          : {}),
      ...(values.host ? { host: values.host } : {}),
      ...(localEnv ? { localEnv } : {}),
      ...withFrozenLockfile(current?.spec.features, frozen === true),
      state: 'Running' as const,
      // `up` on a failed environment means "try again": a restart token makes a new
      // generation, so the runner retries now and failed lifecycle hooks run again.
      ...(current?.status.phase === 'Failed' ? { restart: new Date().toISOString() } : {}),
    }),
    // The list just read is the first attempt's current object: one round trip less.
    { create: true, current: known ?? null },
  );
  trace('up: applied');
  if (values['no-wait']) {
    ctx.out(json ? JSON.stringify({ outcome: 'applied', name }) : `environment ${name} applied`);
    return 0;
  }
  const progress = json ? undefined : followProgress(ctx, client, name);
  const wait = (generation: number) =>
    waitForEnvironment(
      client,
      name,
      generation,
      'Running',
      Number(values.timeout) * 1000,
      progress?.onChange,
    );
  const outcome = await settleConsent(await wait(applied.metadata.generation), {
    ctx,
    client,
    name,
    flags,
    io: json ? { interactive: false, ask: async () => '' } : terminalIo(),
    verb: 'up',
    argv,
    rerun: wait,
  });
  trace('up: outcome');
  // Not awaited: the process ends after the summary, and with it the log stream.
  void progress?.stop();
  if (!outcome.ok) {
    const needs = outcome.env ? consentRequest(outcome.env) : undefined;
    if (json)
      ctx.out(
        JSON.stringify({
          outcome: 'error',
          name,
          reason: outcome.reason,
          message: outcome.message,
          ...(needs ? { needs: { allow: needs.allowances, initializeCommand: needs.initialize } } : {}),
        }),
      );
    else ctx.err(`devrig up: ${name}: ${outcome.reason}: ${outcome.message}`);
    return 1;
  }
  const env = outcome.env;
  // `ssh devrig-NAME` right after this must work: the runner writes the Host block before Ready, and
  // puts ssh_config back when asked if it went missing since. An SSH gateway that did not start
  // fails nothing here (exec still works); it is said once.
  const ssh = await client.call('sshInfo', {}).catch((e: Error) => ctx.err(`devrig up: ssh: ${e.message}`));
  trace('up: ssh_config');
  const summary = {
    outcome: 'success',
    name,
    containerId: env.status.containerId,
    workspaceFolder: env.status.workspaceFolder,
    remoteUser: env.status.remoteUser,
    configFile: env.status.configFile,
    ssh: `ssh devrig-${name}`,
    ...(ssh ? { sshConfig: ssh.configFile } : {}),
  };
  if (json) ctx.out(JSON.stringify(summary));
  else {
    ctx.out(
      [
        `Environment ${name} is ready.`,
        `  container   ${env.status.containerName} (${env.status.containerId?.slice(0, 12)})`,
        `  workspace   ${env.status.workspaceFolder} as ${env.status.remoteUser}`,
        `  shell       devrig exec ${name} -it`,
        `  ssh         devrig ssh ${name}   (plain \`ssh devrig-${name}\` after \`devrig ssh-config --install\`)`,
      ].join('\n'),
    );
  }
  return 0;
}

/** The spec's `features` with frozenLockfile as `up` was asked (undefined, so left out, when nothing remains). */
function withFrozenLockfile(
  features: Environment['spec']['features'],
  frozen: boolean,
): { features: Environment['spec']['features'] } {
  const { frozenLockfile: _was, ...rest } = features ?? {};
  const next = { ...rest, ...(frozen ? { frozenLockfile: true } : {}) };
  return { features: Object.keys(next).length ? next : undefined };
}
