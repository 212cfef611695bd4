import type * as ChildProcess from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { constants } from 'node:os';
import { defaultUserSshConfig, ensureSshInclude } from '../../sshConfig/sshConfigFile';
import { sshHostAlias } from '../../sshConfig/remoteUri';
import { accessFor } from '../../client/environmentAccess';
import { parseAuthorizedKeys, parsePublicKeyLine } from '../../sshConfig/authorizedKeys';
import { sshPaths } from '../../state/sshPaths';
import { readFileIfExists, writeFileAtomic } from '../../state/privateFile';
import { splitDashDash, UsageError } from '../args';
import type { CliContext } from '../context';
import { OUTPUT_OPTION, outputFormat, printStructured } from '../outputFormat';
import { fingerprint } from '../../sshConfig/sshKeyFormat';

/** `devrig ssh-config [--install [--ssh-config PATH]]` */
export async function sshConfigCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      install: { type: 'boolean', default: false },
      'ssh-config': { type: 'string' },
      ...OUTPUT_OPTION,
    },
  });
  const format = outputFormat(values.output);
  if (format && values.install) throw new UsageError('-o goes without --install');
  const info = await (await ctx.client()).call('sshInfo', {});
  if (!values.install) {
    if (values['ssh-config']) throw new UsageError('--ssh-config goes with --install');
    // For scripts: where the config, key and known_hosts are, and the gateway's port and host key.
    if (format) await printStructured(ctx, format, info);
    else ctx.out(await readFile(info.configFile, 'utf8'));
    return 0;
  }
  const userConfig = values['ssh-config'] ?? defaultUserSshConfig();
  const result = await ensureSshInclude(userConfig, info.configFile);
  for (const w of result.warnings) ctx.err(`warning: ${w.message}`);
  ctx.out(
    result.changed
      ? `${userConfig} now includes ${info.configFile}: \`ssh devrig-<name>\` reaches your environments`
      : `${userConfig} already includes ${info.configFile}`,
  );
  return 0;
}

/** `devrig ssh NAME [SSH-OPTIONS...] [-- COMMAND...]`: the system ssh with devrig's config; its exit code. */
export async function sshCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { before, after } = splitDashDash(argv);
  const [name, ...sshOptions] = before;
  if (!name) throw new UsageError('ssh needs an environment name');
  const alias = sshHostAlias(name);
  const client = await ctx.client();
  // Say why before ssh can only say "Permission denied".
  const env = (await client.call('list', { kind: 'Environment' })).items.find(
    (e) => e.kind === 'Environment' && e.metadata.name === name,
  );
  const access = accessFor(env?.kind === 'Environment' ? env : undefined, name);
  if (access.kind === 'refuse') {
    ctx.err(`devrig ssh: ${access.reason}`);
    return 1;
  }
  const info = await client.call('sshInfo', {});
  const args = ['-F', info.configFile, ...sshOptions, alias, ...(after?.length ? ['--', ...after] : [])];
  return runSsh(args);
}

function runSsh(args: string[]): Promise<number> {
  // Required when used (see spawnRunner in runner/client/launch.ts).
  const { spawn } = module.require('node:child_process') as typeof ChildProcess;
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', args, { stdio: 'inherit' });
    // Ctrl-C belongs to ssh (and the program behind it): do not die before it reports.
    const ignore = () => {};
    process.on('SIGINT', ignore);
    child.once('error', (e) => reject(new Error(`cannot run ssh: ${e.message}`, { cause: e })));
    child.once('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}

/** `devrig ssh-key add FILE` / `devrig ssh-key list`: extra public keys the gateway accepts. */
export async function sshKeyCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OUTPUT_OPTION });
  const [verb, file, ...rest] = positionals;
  const path = sshPaths(ctx.stateDir).authorizedKeys;
  const existing = (await readFileIfExists(path)) ?? '';
  if (verb === 'list' && !file) {
    const format = outputFormat(values.output);
    const { keys } = parseAuthorizedKeys(existing);
    if (format) {
      await printStructured(
        ctx,
        format,
        keys.map((k) => ({ type: k.type, comment: k.comment, fingerprint: fingerprint(k.blob) })),
      );
    } else {
      ctx.out(
        keys.length
          ? keys.map((k) => `${k.type} ${k.comment || '(no comment)'}`).join('\n')
          : 'no extra keys',
      );
    }
    return 0;
  }
  if (verb !== 'add' || !file || rest.length)
    throw new UsageError('usage: devrig ssh-key add PUBKEY-FILE | list [-o json]');
  const text = (await readFile(file, 'utf8')).trim();
  const key = parsePublicKeyLine(text.split(/\r?\n/)[0] ?? '');
  if ('error' in key) throw new UsageError(`${file}: ${key.error}`);
  if (parseAuthorizedKeys(existing).keys.some((k) => k.blob.equals(key.blob))) {
    ctx.out(`${file} is already authorised`);
    return 0;
  }
  const line = `${key.type} ${key.blob.toString('base64')}${key.comment ? ' ' + key.comment : ''}\n`;
  const prefix = existing && !existing.endsWith('\n') ? existing + '\n' : existing;
  await writeFileAtomic(path, prefix + line, 0o600);
  ctx.out(`added ${key.type} key${key.comment ? ` (${key.comment})` : ''} to ${path}`);
  return 0;
}

/** Registered in main.ts's extraCommands. */
export const sshCommands = {
  'ssh-config': {
    run: sshConfigCommand,
    help: "devrig ssh-config [--install]             print devrig's ssh_config, or Include it in yours\n  -o json                 where the config, key and known_hosts are, the gateway's port and host key\n  --install               add `Include <state>/ssh_config` at the top of ~/.ssh/config\n  --ssh-config PATH       the ssh_config to add it to instead (Remote-SSH's remote.SSH.configFile)",
  },
  ssh: {
    run: sshCommand,
    help: 'devrig ssh NAME [-- CMD...]               ssh into an environment; exit code passed through\n  ssh options go between NAME and --, e.g. devrig ssh web -A -L 8080:localhost:8080',
  },
  'ssh-key': {
    run: sshKeyCommand,
    help: 'devrig ssh-key add FILE | list [-o json]  extra public keys the SSH gateway accepts',
  },
};
