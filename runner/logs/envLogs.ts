import { appendFile, mkdir, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export type LogListener = (text: string) => void;

export interface EnvLogsOptions {
  dir: string;
  /** Rotate a log past this size (one old generation is kept). */
  maxBytes?: number;
  /** Applied to every line before it is stored or sent: secrets never reach a log. */
  redact?: (text: string) => string;
}

/**
 * Per-environment logs (pulls, builds, lifecycle commands, automations): appended to
 * a file under the state folder and pushed to followers. Writes for one log are
 * serialised so lines keep their order.
 */
export class EnvLogs {
  private readonly listeners = new Map<string, Set<LogListener>>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly maxBytes: number;

  constructor(private readonly opts: EnvLogsOptions) {
    this.maxBytes = opts.maxBytes ?? 5 * 1024 * 1024;
  }

  private file(name: string, source?: string): string {
    return join(
      this.opts.dir,
      source ? `${name}.${source.replace(/[^A-Za-z0-9_.-]/g, '_')}.log` : `${name}.log`,
    );
  }

  /** Appends lines (a trailing newline is added per line) to `name`'s log. */
  append(name: string, text: string, source?: string): Promise<void> {
    const redacted = this.opts.redact ? this.opts.redact(text) : text;
    const lines = redacted.endsWith('\n') ? redacted : redacted + '\n';
    const key = source ? `${name}\0${source}` : name;
    for (const l of this.listeners.get(key) ?? []) l(lines);
    const path = this.file(name, source);
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(async () => {
      await mkdir(this.opts.dir, { recursive: true, mode: 0o700 });
      const size = await stat(path).then(
        (s) => s.size,
        () => 0,
      );
      if (size > this.maxBytes) await rename(path, path + '.1').catch(() => {});
      await appendFile(path, lines, { mode: 0o600 });
    });
    const settled = next.catch(() => {});
    this.chains.set(key, settled);
    return next;
  }

  /** A line-writer for one environment, prefixed with a step name. */
  writer(name: string, prefix?: string): (line: string) => void {
    return (line) => {
      void this.append(name, prefix ? `[${prefix}] ${line}` : line).catch(() => {});
    };
  }

  async read(name: string, tailLines?: number, source?: string): Promise<string> {
    const key = source ? `${name}\0${source}` : name;
    await this.chains.get(key);
    let text: string;
    try {
      text = await readFile(this.file(name, source), 'utf8');
    } catch {
      return '';
    }
    if (tailLines === undefined) return text;
    if (tailLines === 0) return '';
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    return lines.slice(-tailLines).join('\n') + (lines.length ? '\n' : '');
  }

  follow(name: string, listener: LogListener, source?: string): () => void {
    const key = source ? `${name}\0${source}` : name;
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => set!.delete(listener);
  }

  async remove(name: string): Promise<void> {
    await this.chains.get(name);
    // Per-source logs too (`NAME.service_web.log`): names have no dots, so the prefix is unambiguous.
    const files = await readdir(this.opts.dir).catch(() => [] as string[]);
    const own = files.filter((f) => f.startsWith(`${name}.`) && /\.log(\.1)?$/.test(f));
    for (const f of own) await unlink(join(this.opts.dir, f)).catch(() => {});
  }
}
