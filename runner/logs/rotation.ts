/** Logs (runner.log, each environment's) start afresh past this size; the previous one is kept as `.1`. */
export const LOG_ROTATE_BYTES = 5 * 1024 * 1024;
