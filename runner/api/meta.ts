import { z } from 'zod';

import { NAME_PATTERN, NAME_RULE } from './names';

export const ResourceName = z.string().regex(NAME_PATTERN, NAME_RULE);

export const Labels = z.record(
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/, 'label keys are 1-63 of A-Z a-z 0-9 . _ / -'),
  z.string().max(253),
);

export const ObjectMeta = z.object({
  name: ResourceName,
  uid: z.string(),
  generation: z.number().int().nonnegative(),
  resourceVersion: z.string(),
  creationTimestamp: z.string(),
  deletionTimestamp: z.string().optional(),
  finalizers: z.array(z.string()).default([]),
  labels: Labels.default({}),
});
export type ObjectMeta = z.infer<typeof ObjectMeta>;

/** What a client may say about metadata when applying; the runner owns the rest. */
export const ApplyMeta = z.object({
  name: ResourceName,
  resourceVersion: z.string().optional(),
  labels: Labels.optional(),
});
export type ApplyMeta = z.infer<typeof ApplyMeta>;
