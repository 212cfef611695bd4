// Where a change to an environment stands, from its status alone: still going, done, or failed (for
// this generation, not a leftover failure from before). Pure.

import type { Condition, Environment } from '../../runner/api';
import { failingCondition } from '../../runner/api';
import { shortReason } from '../tree/reasonText';

export type Want = 'Running' | 'Stopped';

export type Outcome =
  | { state: 'progress'; message: string }
  | { state: 'done' }
  | { state: 'failed'; condition: Condition | undefined; message: string };

export function outcomeFor(env: Environment, generation: number, want: Want): Outcome {
  const s = env.status;
  const observed = s.observedGeneration >= generation;
  if (s.phase === 'Failed') {
    const c = failingCondition(s.conditions);
    if (c && c.observedGeneration >= generation) return { state: 'failed', condition: c, message: c.message };
  }
  if (observed && s.phase === want) return { state: 'done' };
  const reason = shortReason(env, 80);
  return { state: 'progress', message: reason ? `${s.phase}: ${reason}` : s.phase };
}
