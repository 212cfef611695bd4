import { appendFile, mkdir, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { stampLines } from '../api/logLines';
import { LOG_ROTATE_BYTES } from '../state/limits';

export type LogListener = (text: string) => void;

export interface EnvLogsOptions {
  dir: string;
  /** Rotate a log past this size (one old generation is kept). */
  maxBytes?: number;
  /** Applied to every line before it is stored or sent: secrets never reach a log. */
  redact?: (text: string) => string;
  /** The time lines are stamped with (tests). */
  now?: () => Date;
}

/** One log file: lines waiting to be written, its size once known, and the chain of its I/O. */
interface LogFile {
  path: string;
  pending: string[];
  size?: number;
  chain: Promise<void>;
  /** Operations queued on `chain` and not finished: while any are, the entry must stay. */
  queued: number;
}

/** Idle log files remembered (their size); past this, the least recently used are forgotten. */
const KEPT_IDLE_FILES = 256;

/**
 * Per-environment logs (pulls, builds, lifecycle commands, automations): appended to
 * a file under the state folder and pushed to followers. Each file's I/O runs in one chain,
 * so lines keep their order, lines arriving together are written together, and a read sees
 * exactly the lines appended before it.
 */
export class EnvLogs {
  private readonly listeners = new Map<string, Set<LogListener>>();
  private readonly files = new Map<string, LogFile>();
  private readonly maxBytes: number;
  private dirReady?: Promise<unknown>;

  constructor(private readonly opts: EnvLogsOptions) {
    this.maxBytes = opts.maxBytes ?? LOG_ROTATE_BYTES;
  }

  private key(name: string, source?: string): string {
    return source ? `${name}\0${source}` : name;
  }

  private fileOf(name: string, source?: string): LogFile {
    const key = this.key(name, source);
    let f = this.files.get(key);
    if (f) {
      // Most recently used last, so the idle ones forgotten first are the ones used longest ago.
      this.files.delete(key);
    } else {
      const base = source ? `${name}.${source.replace(/[^A-Za-z0-9_.-]/g, '_')}.log` : `${name}.log`;
      f = { path: join(this.opts.dir, base), pending: [], chain: Promise.resolve(), queued: 0 };
    }
    this.files.set(key, f);
    return f;
  }

  /**
   * Forgets idle files past KEPT_IDLE_FILES: every distinct source asked for (any client may ask)
   * would otherwise be kept forever. A forgotten file is found again on disk when next used.
   */
  private forgetIdle(): void {
    let excess = this.files.size - KEPT_IDLE_FILES;
    for (const [key, f] of this.files) {
      if (excess <= 0) break;
      if (f.queued > 0 || f.pending.length > 0) continue;
      this.files.delete(key);
      excess--;
    }
  }

  /** Queues I/O on one file after everything queued before it. */
  private enqueue<T>(f: LogFile, op: () => Promise<T>): Promise<T> {
    f.queued++;
    const run = f.chain.then(op);
    f.chain = run.then(
      () => {},
      () => {},
    );
    void f.chain.then(() => {
      f.queued--;
      if (this.files.size > KEPT_IDLE_FILES) this.forgetIdle();
    });
    return run;
  }

  /**
   * Appends lines (a trailing newline is added) to `name`'s log, each stamped with the time
   * (runner/api/logLines.ts): what is read and followed carries the stamps; the API strips them
   * unless asked for timestamps.
   */
  append(name: string, text: string, source?: string): Promise<void> {
    const redacted = this.opts.redact ? this.opts.redact(text) : text;
    const lines = stampLines(redacted, this.opts.now?.() ?? new Date());
    for (const l of this.listeners.get(this.key(name, source)) ?? []) l(lines);
    const f = this.fileOf(name, source);
    f.pending.push(lines);
    if (f.pending.length > 1) return f.chain; // a flush is already queued and will take these too
    return this.enqueue(f, () => this.flush(f));
  }

  private async flush(f: LogFile): Promise<void> {
    const text = f.pending.join('');
    f.pending = [];
    if (!text) return;
    this.dirReady ??= mkdir(this.opts.dir, { recursive: true, mode: 0o700 });
    await this.dirReady;
    f.size ??= await stat(f.path).then(
      (s) => s.size,
      () => 0,
    );
    if (f.size > this.maxBytes) {
      await rename(f.path, f.path + '.1').catch(() => {});
      f.size = 0;
    }
    await appendFile(f.path, text, { mode: 0o600 });
    f.size += Buffer.byteLength(text);
  }

  /** A line-writer for one environment, prefixed with a step name. */
  writer(name: string, prefix?: string): (line: string) => void {
    return (line) => {
      void this.append(name, prefix ? `[${prefix}] ${line}` : line).catch(() => {});
    };
  }

  /** The log as written so far (the last `tailLines` lines, if given). */
  read(name: string, tailLines?: number, source?: string): Promise<string> {
    const f = this.fileOf(name, source);
    return this.enqueue(f, async () => {
      await this.flush(f);
      // `logs -f` with no tail (how `up` and `start` follow progress) must not read up to 5 MiB for nothing.
      if (tailLines === 0) return '';
      return tail(await readFile(f.path, 'utf8').catch(() => ''), tailLines);
    });
  }

  follow(name: string, listener: LogListener, source?: string): () => void {
    const key = this.key(name, source);
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      set!.delete(listener);
      if (set!.size === 0) this.listeners.delete(key);
    };
  }

  /**
   * What was written, then every line after it, with no gap and no line twice: the listener is
   * registered and the read queued in the same instant, so lines appended meanwhile are queued
   * after the read and held until it has been delivered.
   */
  async readThenFollow(
    name: string,
    tailLines: number | undefined,
    source: string | undefined,
    onText: LogListener,
  ): Promise<() => void> {
    let held: string[] | undefined = [];
    const stop = this.follow(name, (t) => (held ? held.push(t) : onText(t)), source);
    try {
      const text = await this.read(name, tailLines, source);
      if (text) onText(text);
    } finally {
      for (const t of held!) onText(t);
      held = undefined;
    }
    return stop;
  }

  async remove(name: string): Promise<void> {
    for (const [key, f] of this.files) {
      if (key === name || key.startsWith(`${name}\0`)) {
        await f.chain;
        this.files.delete(key);
      }
    }
    // Per-source logs too (`NAME.service_web.log`): names have no dots, so the prefix is unambiguous.
    const files = await readdir(this.opts.dir).catch(() => [] as string[]);
    const own = files.filter((f) => f.startsWith(`${name}.`) && /\.log(\.1)?$/.test(f));
    for (const f of own) await unlink(join(this.opts.dir, f)).catch(() => {});
  }
}

function tail(text: string, lines: number | undefined): string {
  if (lines === undefined) return text;
  if (lines === 0) return '';
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all.slice(-lines).join('\n') + (all.length ? '\n' : '');
}
