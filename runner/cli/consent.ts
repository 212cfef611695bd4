// Consent on the command line: `--allow LIST`, `--allow-privileged` and `--allow-initialize` for the
// commands that start an environment, and, when it still waits for consent, a y/N question on a
// terminal or the exact flags to pass everywhere else.

import { createInterface } from 'node:readline/promises';
import { ALLOWANCES, type Allowance } from '../api/allowances';
import type { HostAccessItem } from '../api/consent';
import type { Environment, EnvironmentSpecInput } from '../api/environment';
import { consentRequest, specAllowing, waitsForConsent, type ConsentRequest } from '../client/consent';
import type { RunnerClient } from '../client/runnerClient';
import { updateEnvironmentSpec } from '../client/updateEnvironment';
import { UsageError } from './args';
import type { CliContext } from './context';
import type { WaitOutcome } from './wait';

/** parseArgs options of the consent flags, for the commands that take them. */
export const CONSENT_OPTIONS = {
  allow: { type: 'string', multiple: true },
  'allow-privileged': { type: 'boolean', default: false },
  'allow-initialize': { type: 'boolean', default: false },
} as const;

export const CONSENT_HELP = `  --allow LIST        allow this host access (comma-separated: ${ALLOWANCES.join(', ')})
  --allow-privileged  allow every kind of host access (spec.allowPrivileged)
  --allow-initialize  allow the initializeCommand of a git source or untrusted folder, as shown`;

export type ConsentFlags = { allow: Allowance[]; allowPrivileged: boolean; allowInitialize: boolean };

const FLAG_NAMES = new Set(['--allow', '--allow-privileged', '--allow-initialize']);

export function consentFlags(values: {
  allow?: string[];
  'allow-privileged'?: boolean;
  'allow-initialize'?: boolean;
}): ConsentFlags {
  const allow: Allowance[] = [];
  for (const word of (values.allow ?? []).flatMap((v) => v.split(',')).map((w) => w.trim())) {
    if (word === '') continue;
    if (!(ALLOWANCES as readonly string[]).includes(word)) {
      throw new UsageError(`--allow: unknown "${word}"; one of ${ALLOWANCES.join(', ')}`);
    }
    if (!allow.includes(word as Allowance)) allow.push(word as Allowance);
  }
  return {
    allow,
    allowPrivileged: values['allow-privileged'] === true,
    allowInitialize: values['allow-initialize'] === true,
  };
}

/** The spec with the flags' allowances added (never taking any away). */
export function specWithFlags<S extends Pick<EnvironmentSpecInput, 'allow' | 'allowPrivileged'>>(
  spec: S,
  flags: ConsentFlags,
): S {
  const allow = [...new Set([...(spec.allow ?? []), ...flags.allow])];
  return {
    ...spec,
    ...(allow.length ? { allow } : {}),
    ...(flags.allowPrivileged ? { allowPrivileged: true } : {}),
  };
}

/** How the question is asked: on a terminal, or not at all. */
export type ConsentIo = { interactive: boolean; ask(question: string): Promise<string> };

export function terminalIo(): ConsentIo {
  return {
    interactive: process.stdin.isTTY === true && process.stderr.isTTY === true,
    ask: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}

function itemLine(i: HostAccessItem): string {
  const where = [i.location, i.property ?? (i.name ? `${i.origin} "${i.name}"` : i.origin)].filter(Boolean);
  return `  - ${where.join(' ')}: ${i.detail}${i.allowance ? `  [${i.allowance}]` : ''}`;
}

/** What is asked, for people, several lines. */
export function describeRequest(name: string, r: ConsentRequest): string {
  const lines: string[] = [];
  if (r.forbidden.length) {
    lines.push(`devrig: environment ${name} asks for what nothing can allow (change the configuration):`);
    lines.push(...r.forbidden.map(itemLine));
  }
  if (r.items.length) {
    lines.push(`devrig: environment ${name} asks for access to this machine:`);
    lines.push(...r.items.map(itemLine));
  }
  if (r.initialize) {
    lines.push(`devrig: ${r.initialize.why} wants to run this initializeCommand on this machine, as you:`);
    lines.push(...r.initialize.text.split('\n').map((l) => `    ${l}`));
  }
  return lines.join('\n');
}

function quoteArg(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** `devrig VERB ARGS --allow … --allow-initialize`: the command again, with what it still needs. */
export function commandWithConsent(
  verb: string,
  argv: readonly string[],
  r: ConsentRequest,
  flags: ConsentFlags,
): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const flag = a.split('=')[0]!;
    if (FLAG_NAMES.has(flag)) {
      if (a === '--allow') i++;
      continue;
    }
    kept.push(a);
  }
  const allow = [...new Set([...flags.allow, ...r.allowances])];
  return [
    'devrig',
    verb,
    ...kept.map(quoteArg),
    ...(allow.length ? ['--allow', allow.join(',')] : []),
    ...(flags.allowPrivileged ? ['--allow-privileged'] : []),
    ...(r.initialize || flags.allowInitialize ? ['--allow-initialize'] : []),
  ].join(' ');
}

export type SettleOptions = {
  ctx: CliContext;
  client: Pick<RunnerClient, 'call'>;
  name: string;
  flags: ConsentFlags;
  io: ConsentIo;
  /** The command and its arguments as typed, for the hint. */
  verb: string;
  argv: readonly string[];
  /** Waits again for the generation that carries the consent. */
  rerun(generation: number): Promise<WaitOutcome>;
};

/**
 * When the outcome is "waiting for consent": grants what the flags already allow (an initializeCommand
 * under --allow-initialize), asks on a terminal for the rest, or prints exactly what to pass. Returns
 * the final outcome.
 */
export async function settleConsent(first: WaitOutcome, o: SettleOptions): Promise<WaitOutcome> {
  let outcome = first;
  // Each round grants everything asked; a second round only happens if the config changed meanwhile.
  for (let round = 0; round < 3; round++) {
    const env: Environment | undefined = outcome.ok ? undefined : outcome.env;
    if (!env || !waitsForConsent(env)) return outcome;
    const request = consentRequest(env);
    if (!request) return outcome;
    if (request.forbidden.length) {
      o.ctx.err(describeRequest(o.name, request));
      return outcome;
    }
    const flagsCover = request.allowances.length === 0 && (!request.initialize || o.flags.allowInitialize);
    if (!flagsCover) {
      o.ctx.err(describeRequest(o.name, request));
      if (!o.io.interactive) {
        o.ctx.err(`To allow it, run: ${commandWithConsent(o.verb, o.argv, request, o.flags)}`);
        return outcome;
      }
      const answer = await o.io.ask(`Allow this for ${o.name}? [y/N] `);
      if (!/^y(es)?$/i.test(answer.trim())) {
        o.ctx.err(`not allowed; ${o.name} stays stopped until its spec allows it`);
        return outcome;
      }
    } else if (request.initialize) {
      o.ctx.err(describeRequest(o.name, request));
      o.ctx.err('(allowed by --allow-initialize)');
    }
    const grant = { allowances: request.allowances, initializeHash: request.initialize?.hash };
    const applied = await updateEnvironmentSpec(o.client, o.name, (cur) => {
      if (!cur) throw new Error(`environment ${o.name} is gone`);
      return specAllowing(cur.spec, grant);
    });
    outcome = await o.rerun(applied.metadata.generation);
  }
  return outcome;
}
