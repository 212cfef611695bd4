import { ApiError } from '../api/apiError';
import { UsageError } from './args';
import { up, upHelp } from './commands/up';
import { apply, del, get, ls, setState } from './commands/resources';
import { logs } from './commands/logs';
import { exec } from './commands/exec';
import { runnerCmd } from './commands/runner';
import { cliContext, type CliContext } from './context';
import { sshCommands } from './commands/ssh';
import { hostCommands } from './commands/host';
import { automationsCommands } from './commands/automations';
import { portsCommands } from './commands/ports';
import { keepaliveCommands } from './commands/keepalive';
import { secretCommands } from './commands/secret';
import { configCommands } from './commands/config';
import { mcp, mcpHelp } from './commands/mcp';
import { trace } from './trace';
import { parseArgs } from 'node:util';
import { API_VERSION, VERSION } from '../api/version';
import { OUTPUT_OPTION, outputFormat, printStructured } from './outputFormat';
import { CONSENT_HELP } from './consent';
import { FEATURES_HELP } from './featureFlags';

type Command = (ctx: CliContext, argv: string[]) => Promise<number>;

/** Commands other parts of devrig add (ssh, hosts, automations, ports, secrets). */
export const extraCommands: Record<string, { run: Command; help: string }> = {
  ...sshCommands,
  ...hostCommands,
  ...automationsCommands,
  ...portsCommands,
  ...keepaliveCommands,
  ...secretCommands,
  ...configCommands,
  mcp: { run: mcp, help: mcpHelp },
};

const commands: Record<string, { run: Command; help: string }> = {
  up: { run: up, help: upHelp },
  ls: { run: ls, help: 'devrig ls [-o json|yaml]                  list environments' },
  get: { run: get, help: 'devrig get NAME [-o json|yaml]            show one environment' },
  apply: {
    run: apply,
    help: 'devrig apply -f FILE                      create or update resources from YAML/JSON',
  },
  start: {
    run: (c, a) => setState(c, 'start', a),
    help: `devrig start NAME                         start and wait until Ready\n${CONSENT_HELP}`,
  },
  stop: {
    run: (c, a) => setState(c, 'stop', a),
    help: 'devrig stop NAME                          stop (workspace is kept)',
  },
  restart: {
    run: (c, a) => setState(c, 'restart', a),
    help: `devrig restart NAME                       restart the container\n${CONSENT_HELP}`,
  },
  rebuild: {
    run: (c, a) => setState(c, 'rebuild', a),
    help: `devrig rebuild NAME                       rebuild the image without cache and recreate\n${CONSENT_HELP}\n${FEATURES_HELP}`,
  },
  delete: {
    run: del,
    help: 'devrig delete NAME... [--volumes]         delete container and devrig-owned volumes (--volumes: Compose named volumes too)',
  },
  logs: {
    run: logs,
    help: "devrig logs NAME [-f] [-t] [--tail N] [--service S]  build and lifecycle logs (-t: with times; S: a Compose service's output)",
  },
  exec: { run: exec, help: 'devrig exec NAME [-i] [-t] -- CMD...      run a command; its exit code is ours' },
  runner: {
    run: runnerCmd,
    help: 'devrig runner start|stop|status|repair [-o json]  the background runner (status: pid, port, version; repair a damaged store)',
  },
  version: {
    run: version,
    help: 'devrig version [-o json]                  this devrig and the API it speaks',
  },
};

async function version(ctx: CliContext, argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: OUTPUT_OPTION });
  const format = outputFormat(values.output);
  if (format) await printStructured(ctx, format, { version: VERSION, apiVersion: API_VERSION });
  else ctx.out(`devrig ${VERSION}`);
  return 0;
}

function usage(): string {
  const all = { ...commands, ...extraCommands };
  return [
    'devrig: development environments from devcontainer.json',
    '',
    ...Object.values(all).map((c) => '  ' + c.help.split('\n')[0]),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  trace('main');
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name ? 0 : 2;
  }
  const cmd = commands[name === '--version' ? 'version' : name] ?? extraCommands[name];
  if (!cmd) {
    process.stderr.write(`devrig: unknown command "${name}"\n\n${usage()}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(cmd.help + '\n');
    return 0;
  }
  const ctx = cliContext();
  try {
    return await cmd.run(ctx, rest);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string })?.code?.startsWith?.('ERR_PARSE_ARGS')) {
      process.stderr.write(`devrig ${name}: ${(e as Error).message}\n`);
      return 2;
    }
    if (e instanceof ApiError) {
      const where = e.details?.length
        ? '\n' + e.details.map((d) => `  ${d.path}: ${d.message}`).join('\n')
        : '';
      process.stderr.write(
        `devrig ${name}: ${e.message}${e.details?.length && !e.message.includes(e.details[0]!.path) ? where : ''}\n`,
      );
      return 1;
    }
    process.stderr.write(`devrig ${name}: ${(e as Error)?.message ?? e}\n`);
    return 1;
  } finally {
    ctx.close();
  }
}
