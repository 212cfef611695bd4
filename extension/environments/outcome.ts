// Where a change to an environment stands, from its status alone: still going, done, or failed (for
// this generation, not a leftover failure from before), in the words the extension shows. Pure.

import type { Condition, Environment } from '../../runner/api';
import { environmentOutcome } from '../../runner/api';
import { shortReason } from '../../runner/presentation/reasonText';

export type Want = 'Running' | 'Stopped';

export type Outcome =
  | { state: 'progress'; message: string }
  | { state: 'done' }
  | { state: 'failed'; condition: Condition | undefined; message: string };

export function outcomeFor(env: Environment, generation: number, want: Want): Outcome {
  const o = environmentOutcome(env, want, generation);
  if (o.state === 'failed') return { state: 'failed', condition: o.condition, message: o.message };
  if (o.state === 'done') return o;
  const s = env.status;
  const reason = shortReason(env, 80);
  return { state: 'progress', message: reason ? `${s.phase}: ${reason}` : s.phase };
}
