import { parseArgs } from 'node:util';
import { RUNNER_CONFIG_KEYS } from '../../api/runnerConfigKeys';
import { ensurePrivateDir, statePaths } from '../../state/stateDir';
import { UsageError } from '../args';
import type { CliContext } from '../context';
import { OUTPUT_OPTION, outputFormat, printStructured } from '../outputFormat';

type Command = (ctx: CliContext, argv: string[]) => Promise<number>;

const HELP = `devrig config get|set|unset               your settings for all environments (dotfiles)
  devrig config get [KEY] [-o json|yaml]
  devrig config set KEY VALUE
  devrig config unset KEY
  Keys:
${Object.entries(RUNNER_CONFIG_KEYS)
  .map(([k, v]) => `    ${k.padEnd(26)}${v}`)
  .join('\n')}
  Dotfiles go into each new container once; changes apply to containers created afterwards.`;

export const configCommands: Record<string, { run: Command; help: string }> = {
  config: { run: config, help: HELP },
};

async function config(ctx: CliContext, argv: string[]): Promise<number> {
  // Only get takes options: a value to set may well start with a dash.
  const get =
    argv[0] === 'get'
      ? parseArgs({ args: argv.slice(1), allowPositionals: true, options: OUTPUT_OPTION })
      : undefined;
  const [sub, key, ...rest] = get ? ['get', ...get.positionals] : argv;
  const format = outputFormat(get?.values.output);
  const path = statePaths(ctx.stateDir).config;
  // The config file is checked against its schema: zod is loaded for this command only.
  await import('../../api/zodJitless');
  const { configValue, isConfigKey, readRunnerConfig, withConfigValue, writeRunnerConfig } =
    await import('../../config/runnerConfigFile');
  const current = await readRunnerConfig(path);
  const known = () => Object.keys(RUNNER_CONFIG_KEYS).join(', ');
  if (key !== undefined && !isConfigKey(key))
    throw new UsageError(`unknown key "${key}" (known: ${known()})`);
  switch (sub) {
    case 'get':
      if (key === undefined) await printStructured(ctx, format ?? 'json', current);
      else {
        const v = configValue(current, key);
        if (v === undefined) return 1;
        if (format) await printStructured(ctx, format, v);
        else ctx.out(v);
      }
      return 0;
    case 'set': {
      if (key === undefined || rest.length !== 1) throw new UsageError('config set needs KEY VALUE');
      await ensurePrivateDir(ctx.stateDir);
      await writeRunnerConfig(path, withConfigValue(current, key, rest[0]));
      ctx.out(`${key} = ${rest[0]}`);
      return 0;
    }
    case 'unset':
      if (key === undefined) throw new UsageError('config unset needs a KEY');
      await writeRunnerConfig(path, withConfigValue(current, key, undefined));
      ctx.out(`unset ${key}`);
      return 0;
    default:
      throw new UsageError(`config needs one of get, set, unset${sub ? ` (not "${sub}")` : ''}`);
  }
}
