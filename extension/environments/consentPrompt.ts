// The modal that asks the user's consent for an environment: exactly what it asks for (each host access
// item, where it is written, the initializeCommand's text), and one button that allows it. The common
// real cases — Docker-in-Docker's privileged container, Docker-outside-of-Docker's socket — say so in
// plain words. Pure: the command glue shows it and records the answer.

import { posix } from 'node:path';
import type { Allowance, HostAccessItem } from '../../runner/api';
import type { ConsentRequest } from '../../runner/client/consent';

export type ConsentGrant = { allowances: Allowance[]; initializeHash?: string };

export type ConsentPrompt =
  | {
      kind: 'ask';
      message: string;
      detail: string;
      allowLabel: string;
      grant: ConsentGrant;
      signature: string;
    }
  | { kind: 'forbidden'; message: string; detail: string; signature: string };

const DIND = /docker-in-docker/i;
/** Items listed in the modal at most; the details panel has them all. */
const MAX_LINES = 15;
const DOOD = /docker-outside-of-docker|docker-from-docker/i;

/** `devcontainer.json:12:5 runArgs[3]` (the file's base name: the full path is in the details panel). */
function where(i: HostAccessItem): string {
  const location = i.location ? posix.basename(i.location) : undefined;
  const who =
    i.origin === 'feature'
      ? `feature ${i.name ?? ''}`
      : i.origin === 'compose'
        ? `service ${i.name ?? ''}`
        : i.origin === 'imageMetadata'
          ? `image ${i.name ?? ''}`
          : undefined;
  return [who?.trim(), location, i.property].filter(Boolean).join(' ');
}

function line(i: HostAccessItem): string {
  return `• ${i.detail}${where(i) ? ` — ${where(i)}` : ''}`;
}

/** The common cases, by what is asked and who asks: a label for the button and a plain explanation. */
function commonCase(r: ConsentRequest): { label: string; why: string } | undefined {
  const kinds = new Set(r.allowances);
  const only = (a: Allowance) => kinds.size === 1 && kinds.has(a);
  const named = (re: RegExp) => r.items.some((i) => re.test(i.name ?? '') || re.test(i.detail));
  if (only('privileged') && named(DIND)) {
    return {
      label: 'Allow Docker-in-Docker',
      why: 'Docker-in-Docker runs its own Docker engine, which needs a privileged container: software in it can reach this machine’s kernel and devices.',
    };
  }
  if (only('engineSocket')) {
    return {
      label: 'Allow Docker Socket',
      why: `${named(DOOD) ? 'Docker-outside-of-Docker' : 'The configuration'} uses this machine’s Docker engine from inside the container: anything in it can start containers here, which amounts to root on this machine.`,
    };
  }
  if (only('privileged')) {
    return {
      label: 'Allow Privileged Container',
      why: 'A privileged container has every capability and device: software in it can reach this machine’s kernel.',
    };
  }
  return undefined;
}

/** What to show for `request` on environment `name`. */
export function consentPrompt(name: string, r: ConsentRequest): ConsentPrompt {
  const signature = JSON.stringify([
    r.items.map((i) => i.message),
    r.forbidden.map((i) => i.message),
    r.initialize?.hash ?? null,
  ]);
  if (r.forbidden.length) {
    return {
      kind: 'forbidden',
      message: `Environment "${name}" asks for something devrig never allows`,
      detail: [...r.forbidden.map(line), '', 'Change the configuration: nothing can allow this.'].join('\n'),
      signature,
    };
  }
  const common = r.initialize ? undefined : commonCase(r);
  const parts: string[] = [];
  if (common) parts.push(common.why, '');
  if (r.items.length) {
    const shown = r.items.slice(0, MAX_LINES).map(line);
    const more = r.items.length - shown.length;
    parts.push(
      'It asks for access to this machine:',
      ...shown,
      ...(more > 0 ? [`• and ${more} more (Show Details lists them all)`] : []),
    );
  }
  if (r.initialize) {
    if (r.items.length) parts.push('');
    parts.push(
      `${r.initialize.why} wants to run this command on this machine, as you:`,
      '',
      r.initialize.text,
      '',
    );
    parts.push('Allow it only if you trust where it comes from. A changed command asks again.');
  }
  const message =
    r.initialize && !r.items.length
      ? `Run a command from "${name}" on this machine?`
      : `Allow environment "${name}" access to this machine?`;
  return {
    kind: 'ask',
    message,
    detail: parts.join('\n'),
    allowLabel: common?.label ?? (r.initialize && !r.items.length ? 'Allow and Run' : 'Allow and Start'),
    grant: { allowances: r.allowances, ...(r.initialize ? { initializeHash: r.initialize.hash } : {}) },
    signature,
  };
}
