// No schemas here (nor in what it imports at run time): the CLI's fast path uses it without loading zod.
import type { z } from 'zod';
import type { ErrorBody, ErrorCode } from './errors';

/** An error that crosses the API as is: code + message + where. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorBody['details'];
  constructor(code: ErrorCode, message: string, details?: ErrorBody['details'], options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApiError';
    this.code = code;
    this.details = details;
  }
  toBody(): ErrorBody {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
  static from(body: ErrorBody): ApiError {
    return new ApiError(body.code, body.message, body.details);
  }
}

export function isApiError(e: unknown, code?: ErrorCode): e is ApiError {
  return e instanceof ApiError && (code === undefined || e.code === code);
}

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
