// Short, human words for an environment's state: what the tree's description and the status bar show
// next to the phase. Pure.

import { failingCondition, findCondition, reasonKind, type Condition, type Environment } from '../api';

/** `ImageNotFound` → `image not found`; `OOMKilled` → `OOM killed`. */
export function humanizeReason(reason: string): string {
  const words = reason
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/\s+/)
    .filter(Boolean);
  return words.map((w) => (/^[A-Z]{2,}$/.test(w) ? w : w.toLowerCase())).join(' ');
}

/** Conditions worth showing as children: failed ones (not in progress, not stopped), Ready excluded (it summarises). */
export function unhealthyConditions(env: Environment): Condition[] {
  return env.status.conditions.filter(
    (c) => c.type !== 'Ready' && c.status !== 'True' && reasonKind(c) === 'failure',
  );
}

/** The short reason next to the phase: what it is doing, or why it failed. Empty when there is nothing to add. */
export function shortReason(env: Environment, max = 48): string {
  const { phase, conditions } = env.status;
  let text = '';
  if (phase === 'Failed') {
    const c = failingCondition(env.status.conditions);
    text = c ? humanizeReason(c.reason) : (env.status.lastError ?? '');
  } else if (phase === 'Unreachable') {
    text = findCondition(conditions, 'HostReachable')?.message ?? '';
  } else if (phase === 'Building' || phase === 'Starting' || phase === 'Pending' || phase === 'Deleting') {
    const ready = findCondition(conditions, 'Ready');
    text = ready && ready.status !== 'True' ? ready.message : '';
  }
  return truncate(text.trim(), max);
}

export function truncate(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 1).trimEnd() + '…' : text;
}

/** `Building · preparing the image`, `Running`, `Failed · image not found`. */
export function phaseDescription(env: Environment): string {
  const reason = shortReason(env);
  return reason ? `${env.status.phase} · ${reason}` : env.status.phase;
}
