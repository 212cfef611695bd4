import { z } from 'zod';

export const ConditionStatus = z.enum(['True', 'False', 'Unknown']);
export type ConditionStatus = z.infer<typeof ConditionStatus>;

export const Condition = z.object({
  type: z.string(),
  status: ConditionStatus,
  /** CamelCase, machine-readable. */
  reason: z.string(),
  /** For people. */
  message: z.string(),
  lastTransitionTime: z.string(),
  observedGeneration: z.number().int().nonnegative(),
});
export type Condition = z.infer<typeof Condition>;
