import { openSync, readSync, closeSync, readFileSync } from 'node:fs';
import type { ContainerProvider, ExecProcess } from '../providers/provider';
import { lines } from '../util/lines';
import { LookSchedule, type LookPolicy } from './lookSchedule';
import { parseListeningPorts, portsWatchCommand, SNAPSHOT_END, watcherEnv } from './portDetector';

/** Follows what listens in one running container, looking on a LookSchedule. */
export interface ListenerWatch {
  /** Something happened in the environment: look soon, and often for a while. */
  poke(): void;
  dispose(): void;
}

export interface ListenerWatchDeps {
  provider: ContainerProvider;
  containerId: string;
  policy?: LookPolicy;
  /** When something last happened in the environment (ms since the epoch), when known. */
  activeSince?: number;
  /** The listeners: at the first look, then whenever they change. */
  onListening(ports: number[]): void;
  log(msg: string): void;
}

/**
 * The watch for a container: from the runner's side, reading the container's tables in this
 * machine's /proc, when the engine runs here; else a watcher process in the container.
 */
export function watchListeners(deps: ListenerWatchDeps): ListenerWatch {
  return deps.provider.localProcess ? new ProcListenerWatch(deps) : new ExecListenerWatch(deps);
}

/** Tells the listeners on when they change; a change counts as activity (look often for a while). */
function reporter(deps: ListenerWatchDeps, loop: () => LookLoop): (ports: number[]) => void {
  let last: string | undefined;
  return (ports) => {
    const key = ports.join(',');
    if (key === last) return;
    if (last !== undefined) loop().changed();
    last = key;
    deps.onListening(ports);
  };
}

/** Runs `look` on a LookSchedule; poke() brings an idle wait forward. */
class LookLoop {
  private timer?: NodeJS.Timeout;
  private dueAt = 0;
  private running = false;
  private stopped = false;

  constructor(
    private readonly schedule: LookSchedule,
    private readonly look: () => Promise<void>,
  ) {}

  start(): void {
    this.arm(0);
  }

  poke(): void {
    this.schedule.active();
    if (this.timer && this.dueAt - Date.now() > this.schedule.activeMs) this.arm(this.schedule.activeMs);
  }

  /** A change was seen: look often for a while. */
  changed(): void {
    this.schedule.active();
  }

  /** The next look after `ms` (a failure's backoff), instead of the schedule's. */
  retryIn(ms: number): void {
    this.arm(ms);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private arm(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.dueAt = Date.now() + ms;
    this.timer = setTimeout(() => void this.tick(), ms);
    // Looks never keep the runner alive.
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      await this.look();
    } finally {
      this.running = false;
    }
    if (!this.timer) this.arm(this.schedule.delay());
  }
}

/**
 * Local engine: reads /proc/<pid>/net/tcp and tcp6 of the container's main process, which show its
 * network namespace. Nothing runs in the container. The process is checked to be the same one
 * (its start time) after every read, so a pid reused after the container stopped is never read as
 * the container's; a container that stopped or restarted is looked up again, with a backoff.
 */
class ProcListenerWatch implements ListenerWatch {
  private readonly loop: LookLoop;
  private readonly report: (ports: number[]) => void;
  private proc?: { dir: string; startTime: string };
  private backoff = 500;
  /** The engine's processes are not visible here after all (an engine in a VM): a watcher inside. */
  private fallback?: ExecListenerWatch;

  constructor(private readonly deps: ListenerWatchDeps) {
    this.loop = new LookLoop(new LookSchedule(deps.policy, Date.now, deps.activeSince), () => this.look());
    this.report = reporter(deps, () => this.loop);
    this.loop.start();
  }

  poke(): void {
    this.loop.poke();
    this.fallback?.poke();
  }

  dispose(): void {
    this.loop.stop();
    this.fallback?.dispose();
  }

  private async look(): Promise<void> {
    try {
      if (!this.proc) {
        const found = await this.deps.provider.localProcess!(this.deps.containerId);
        if (found === false) {
          this.loop.stop();
          this.fallback = new ExecListenerWatch(this.deps);
          return;
        }
        if (found === undefined) return this.retry();
        this.proc = { dir: found, startTime: startTimeOf(found) };
      }
      const text = readTable(`${this.proc.dir}/net/tcp`) + readTable(`${this.proc.dir}/net/tcp6`, true);
      if (startTimeOf(this.proc.dir) !== this.proc.startTime) {
        this.proc = undefined;
        return this.retry();
      }
      this.backoff = 500;
      this.report(parseListeningPorts(text));
    } catch {
      // The process went (the container stopped or restarted): find it again.
      this.proc = undefined;
      this.retry();
    }
  }

  private retry(): void {
    this.loop.retryIn(this.backoff);
    this.backoff = Math.min(this.backoff * 2, 30_000);
  }
}

/** One read with a large buffer: each read of these files walks the kernel's whole TCP table. */
function readTable(path: string, optional = false): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    // No tcp6 in a container without IPv6.
    if (optional && (e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw e;
  }
  try {
    const chunks: Buffer[] = [];
    for (;;) {
      const buf = Buffer.allocUnsafe(256 * 1024);
      const n = readSync(fd, buf, 0, buf.length, null);
      chunks.push(buf.subarray(0, n));
      // Short: that was all (a read past the end would walk the table once more).
      if (n < buf.length) break;
    }
    return Buffer.concat(chunks).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

/** The process's start time (field 22 of /proc/<pid>/stat): a reused pid has another. */
function startTimeOf(dir: string): string {
  const stat = readFileSync(`${dir}/stat`, 'latin1');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
}

/**
 * An engine elsewhere: one watcher process in the container (portDetector.ts), told when to look
 * by a newline on its stdin; it prints only changes. A watcher that ends (the container restarted,
 * the engine hiccuped) is started again.
 */
class ExecListenerWatch implements ListenerWatch {
  private readonly loop: LookLoop;
  private readonly report: (ports: number[]) => void;
  private watcher?: ExecProcess;
  private starting?: Promise<void>;
  private disposed = false;
  private backoff = 500;

  constructor(private readonly deps: ListenerWatchDeps) {
    this.loop = new LookLoop(new LookSchedule(deps.policy, Date.now, deps.activeSince), () => this.look());
    this.report = reporter(deps, () => this.loop);
    this.loop.start();
  }

  poke(): void {
    this.loop.poke();
  }

  dispose(): void {
    this.disposed = true;
    this.loop.stop();
    // Its stdin closing ends it; the signal makes sure.
    this.watcher?.stdin.end();
    void this.watcher?.signal('TERM').catch(() => {});
  }

  private async look(): Promise<void> {
    if (!this.watcher) {
      this.starting ??= this.start().finally(() => (this.starting = undefined));
      await this.starting;
    }
    const w = this.watcher;
    if (!w) return this.loop.retryIn(this.nextBackoff());
    w.stdin.write('\n');
  }

  private nextBackoff(): number {
    const ms = this.backoff;
    this.backoff = Math.min(this.backoff * 2, 30_000);
    return ms;
  }

  private async start(): Promise<void> {
    let proc: ExecProcess;
    try {
      proc = await this.deps.provider.exec(this.deps.containerId, {
        cmd: portsWatchCommand(),
        env: watcherEnv(this.deps.containerId),
        tty: false,
        stdin: true,
      });
    } catch {
      // The container is going away or the engine hiccuped: keep the last view, look again.
      return;
    }
    if (this.disposed) {
      proc.stdin.end();
      void proc.signal('TERM').catch(() => {});
      return;
    }
    this.watcher = proc;
    proc.stdin.on('error', () => {});
    proc.stderr.resume();
    let snapshot: string[] = [];
    lines(proc.stdout, (line) => {
      if (line !== SNAPSHOT_END) {
        snapshot.push(line);
        return;
      }
      this.backoff = 500;
      this.report(parseListeningPorts(snapshot.join('\n')));
      snapshot = [];
    });
    void proc.wait().then(
      () => this.ended(proc),
      () => this.ended(proc),
    );
  }

  private ended(proc: ExecProcess): void {
    if (this.watcher !== proc) return;
    this.watcher = undefined;
    if (!this.disposed) this.loop.retryIn(this.nextBackoff());
  }
}
