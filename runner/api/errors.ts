import { z } from 'zod';

export const ErrorCode = z.enum([
  'BadRequest',
  'Invalid',
  'NotFound',
  'AlreadyExists',
  'Conflict',
  'Expired',
  'Unauthorized',
  /** Allowed for others, not for this caller (an agent session outside its policy). */
  'Forbidden',
  'Unavailable',
  'Internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  code: ErrorCode,
  message: z.string(),
  /** Where the problem is, e.g. `spec.resources.memory` or `/path/devcontainer.json:3:7`. */
  details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
