/** dockerode errors carry the engine's message in `json.message`; surface that. */
export function engineMessage(e: unknown): string {
  const err = e as { json?: { message?: string }; reason?: string; message?: string; statusCode?: number };
  const fromJson = err?.json?.message;
  if (fromJson) return fromJson.trim();
  if (err?.message) return err.message.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
  return String(e);
}

export function statusCode(e: unknown): number | undefined {
  return (e as { statusCode?: number })?.statusCode;
}

export class EngineError extends Error {
  constructor(
    readonly operation: string,
    cause: unknown,
  ) {
    super(`${operation}: ${engineMessage(cause)}`, { cause });
    this.name = 'EngineError';
  }
  get statusCode(): number | undefined {
    return statusCode(this.cause);
  }
}
