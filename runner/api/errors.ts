import { z } from 'zod';
import { ApiError } from './apiError';

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

/** Turns a zod error into readable details (`spec.resources.memory: must be ...`). */
export function zodDetails(error: z.ZodError, prefix = ''): NonNullable<ErrorBody['details']> {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.') || '(root)',
    message: i.message,
  }));
}

export function invalid(what: string, error: z.ZodError, prefix = ''): ApiError {
  const details = zodDetails(error, prefix);
  return new ApiError(
    'Invalid',
    `${what} is invalid: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
    details,
  );
}
