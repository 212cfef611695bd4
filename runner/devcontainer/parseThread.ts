import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { ConfigError, type ConfigErrorCode, type ConfigWarning } from './errors';
import { parseDevcontainerText, type ConfigParser, type ParsedDevcontainer } from './parse';
import type { DevcontainerConfig } from './schema';
import { createSourceMap, type Located } from './sourceMap';

// A large config is parsed on a worker thread: however long it takes (a hostile 5 MB file), the
// runner's own thread keeps answering the API and the SSH gateway meanwhile.

const ROLE = 'devrig-config-parser';
/** A config whose parse needs more than this is refused (the worker is ended, not the runner). */
const MAX_WORKER_HEAP_MB = 512;

type Request = { id: number; text: string; file: string };
type Reply =
  | { id: number; config: DevcontainerConfig; warnings: ConfigWarning[]; located?: Located }
  | { id: number; configError: ErrorData }
  | { id: number; error: string };
type ErrorData = {
  code: ConfigErrorCode;
  file: string;
  detail: string;
  line?: number;
  column?: number;
  property?: string;
};

/**
 * In a worker started by configParserThread, answers parse requests and returns true; anywhere else
 * returns false. The runner's entry calls it first, as the worker runs the runner's own bundle.
 */
export function serveConfigParsing(): boolean {
  const port = parentPort;
  if (isMainThread || !port || (workerData as { role?: string } | undefined)?.role !== ROLE) return false;
  port.on('message', ({ id, text, file }: Request) => {
    let reply: Reply;
    try {
      const { config, warnings, located } = parseDevcontainerText(text, file);
      reply = { id, config, warnings, located };
    } catch (e) {
      if (e instanceof ConfigError) {
        const { code, detail, line, column, property } = e;
        reply = { id, configError: { code, file: e.file, detail, line, column, property } };
      } else reply = { id, error: (e as Error)?.message ?? String(e) };
    }
    port.postMessage(reply);
  });
  return true;
}

/**
 * A ConfigParser on a worker thread running `script` (a bundle whose entry calls
 * serveConfigParsing), started on first use and ended after `idleMs` without work.
 */
export function configParserThread(script: string, idleMs = 30_000): ConfigParser {
  let worker: Worker | undefined;
  let idle: NodeJS.Timeout | undefined;
  let nextId = 1;
  const pending = new Map<
    number,
    { file: string; resolve(p: ParsedDevcontainer): void; reject(e: Error): void }
  >();

  const failAll = (error: (file: string) => Error) => {
    for (const p of pending.values()) p.reject(error(p.file));
    pending.clear();
    worker = undefined;
  };
  const start = (): Worker => {
    const w = new Worker(script, {
      workerData: { role: ROLE },
      resourceLimits: { maxOldGenerationSizeMb: MAX_WORKER_HEAP_MB },
    });
    // It never keeps the runner alive.
    w.unref();
    w.on('message', (reply: Reply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if ('configError' in reply) p.reject(toConfigError(reply.configError));
      else if ('error' in reply) p.reject(new Error(reply.error));
      else {
        const sourceMap = createSourceMap(reply.located);
        p.resolve({ config: reply.config, warnings: reply.warnings, sourceMap, located: reply.located });
      }
      if (pending.size === 0) {
        idle = setTimeout(() => {
          if (worker === w) worker = undefined;
          void w.terminate();
        }, idleMs);
        idle.unref();
      }
    });
    w.on('error', (e) => {
      if ((e as NodeJS.ErrnoException).code !== 'ERR_WORKER_OUT_OF_MEMORY') return failAll(() => e);
      const message = `reading it needs more than ${MAX_WORKER_HEAP_MB} MiB of memory; devrig does not read configs like that`;
      failAll((file) => new ConfigError({ code: 'Invalid', file, message }, { cause: e }));
    });
    w.on('exit', () => {
      if (worker === w) failAll(() => new Error('the config parser thread ended'));
    });
    return w;
  };

  return (text, file) =>
    new Promise((resolve, reject) => {
      clearTimeout(idle);
      worker ??= start();
      const id = nextId++;
      pending.set(id, { file, resolve, reject });
      worker.postMessage({ id, text, file } satisfies Request);
    });
}

function toConfigError(e: ErrorData): ConfigError {
  const position = e.line !== undefined ? { line: e.line, column: e.column ?? 1 } : undefined;
  return new ConfigError({ code: e.code, file: e.file, message: e.detail, position, property: e.property });
}
