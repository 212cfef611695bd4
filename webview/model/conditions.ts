// Conditions as rows: the summary first, then in the order an environment comes up. Pure.

import { CONDITION_ORDER, reasonKind, type Condition } from '../../runner/api';
import { humanizeReason } from '../../runner/presentation/reasonText';
import type { IconView, Tone } from './phase';
import { themeColorVar } from './phase';
import { absoluteTime, relativeTime } from './time';

export interface ConditionRow {
  type: string;
  status: Condition['status'];
  icon: IconView;
  tone: Tone;
  reason: string;
  /** `image not found` for `ImageNotFound`. */
  reasonText: string;
  message: string;
  since: string;
  sinceTitle: string;
}

function rank(type: string): number {
  const i = CONDITION_ORDER.indexOf(type);
  return i < 0 ? CONDITION_ORDER.length : i;
}

function look(c: Condition, busy: boolean): { icon: IconView; tone: Tone } {
  const icon = (name: string, color = '', spin = false): IconView => ({ name, spin, color });
  if (c.status === 'True') return { icon: icon('pass', themeColorVar('charts.green')), tone: 'ok' };
  if (c.status === 'Unknown') return { icon: icon('question'), tone: 'idle' };
  // False because it is on its way (Pulling, Starting) spins only while the environment is busy;
  // False because it rests where it should (Stopped) is simply off.
  const kind = reasonKind(c);
  if (kind === 'progress' && busy) return { icon: icon('sync', '', true), tone: 'busy' };
  if (kind !== 'failure') return { icon: icon('circle-outline'), tone: 'idle' };
  return { icon: icon('error', themeColorVar('errorForeground')), tone: 'error' };
}

export function conditionRows(conditions: readonly Condition[], busy: boolean, now: number): ConditionRow[] {
  return [...conditions]
    .sort((a, b) => rank(a.type) - rank(b.type) || a.type.localeCompare(b.type))
    .map((c) => ({
      type: c.type,
      status: c.status,
      ...look(c, busy),
      reason: c.reason,
      reasonText: humanizeReason(c.reason),
      message: c.message,
      since: relativeTime(c.lastTransitionTime, now),
      sinceTitle: absoluteTime(c.lastTransitionTime),
    }));
}
