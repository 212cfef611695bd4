/** Logs (runner.log, each environment's) start afresh past this size; the previous one is kept as `.1`. */
export const LOG_ROTATE_BYTES = 5 * 1024 * 1024;

/** How long the runner may take to stop before its process exits anyway (clients wait a little longer). */
export const STOP_DEADLINE_MS = 20_000;
