// initializeCommand runs on this machine, as the user, before any container exists. A source the user
// did not vouch for (a git repository; a folder the extension does not trust) runs it only with consent
// to that exact command: the consent is its hash, so a changed command needs consent again. Pure.

import { createHash } from 'node:crypto';
import type { EnvironmentSpec } from '../api/environment';

/** A lifecycle command as devcontainer parsing normalises it (shell string or argv, named). */
export type LifecycleCommand = { name: string; shell?: string; argv?: string[] };

export type InitializeConsent = {
  /** The command as it will run, for people to read. */
  text: string;
  /** What spec.allowInitializeCommand must be. */
  hash: string;
  allowed: boolean;
  /** Why consent is needed: `a git source`, `a folder that is not trusted`. */
  why: string;
};

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

function quote(arg: string): string {
  return SAFE_WORD.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** One line per command: the shell string as written, an argv quoted as a shell would need it. */
export function initializeCommandText(commands: readonly LifecycleCommand[]): string {
  const text = (c: LifecycleCommand) => c.shell ?? (c.argv ?? []).map(quote).join(' ');
  if (commands.length === 1 && commands[0]?.name === 'initializeCommand') return text(commands[0]);
  return commands.map((c) => `${c.name}: ${text(c)}`).join('\n');
}

/** `sha256:<hex>` of the commands exactly as they will run (names, shell strings, argv). */
export function initializeCommandHash(commands: readonly LifecycleCommand[]): string {
  const canonical = JSON.stringify(
    commands.map((c) => (c.argv ? { name: c.name, argv: c.argv } : { name: c.name, shell: c.shell ?? '' })),
  );
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

/** Why a source needs consent to run initializeCommand, or undefined when its user vouched for it. */
export function initializeConsentReason(source: EnvironmentSpec['source']): string | undefined {
  if (source.git) return `the git source ${source.git.url}`;
  if (source.untrusted) return `the folder ${source.folder ?? ''}, which is not trusted`;
  return undefined;
}

/**
 * The consent an environment's initializeCommand needs, or undefined when it needs none (no command, or
 * a folder its user gave devrig, as the reference CLI runs it).
 */
export function initializeConsent(
  spec: Pick<EnvironmentSpec, 'source' | 'allowInitializeCommand'>,
  commands: readonly LifecycleCommand[],
): InitializeConsent | undefined {
  const why = initializeConsentReason(spec.source);
  if (!why || commands.length === 0) return undefined;
  const hash = initializeCommandHash(commands);
  return { text: initializeCommandText(commands), hash, allowed: spec.allowInitializeCommand === hash, why };
}
