import { randomBytes } from 'node:crypto';
import type { AutomationStatus, ServiceSpec } from '../api';
import { execLines, execOutput } from '../reconcile/environment/execLines';
import {
  LineTail,
  patchAutomationStatus,
  serviceLog,
  type AutomationSink,
  type AutomationTarget,
} from './automationTarget';
import { failuresInARow, restartDelayMs, type RestartPolicy, DEFAULT_RESTART_POLICY } from './restartBackoff';
import {
  EXIT_LINE,
  followService,
  launchService,
  SERVICE_MARKER,
  shellCommand,
  stopProcessTree,
} from './serviceScripts';

const PROBE_TIMEOUT_MS = 10_000;
const STOP_COMMAND_TIMEOUT_MS = 30_000;

export interface StopOptions {
  /** Run the service's stop command first (false when the container is going anyway). */
  runStopCommand?: boolean;
  /** How long processes get between SIGTERM and SIGKILL. */
  graceSeconds?: number;
}

/**
 * Keeps one service running in the container: starts it (or adopts a run that survived a runner
 * restart), follows its log, probes it until Ready, restarts it with backoff when it dies, and
 * stops its whole process tree on request. Its status is `status`, changes told to the sink.
 */
export class ServiceSupervisor {
  readonly status: AutomationStatus;
  private desired: 'running' | 'stopped' = 'stopped';
  /** The current run's marker token; undefined when no run is believed alive. */
  private token?: string;
  private runStarted = 0;
  private failures = 0;
  private restartTimer?: NodeJS.Timeout;
  /** The stop of the current run, while it goes on; a second stop joins it. */
  private stopping?: Promise<void>;
  private probe?: AbortController;
  private follower?: AbortController;
  private exitWaiters: (() => void)[] = [];
  private readonly tail = new LineTail();
  private disposed = false;

  constructor(
    readonly id: string,
    private spec: ServiceSpec,
    private readonly target: AutomationTarget,
    private readonly sink: AutomationSink,
    previous?: AutomationStatus,
    private readonly policy: RestartPolicy = DEFAULT_RESTART_POLICY,
  ) {
    this.status = {
      kind: 'service',
      id,
      name: spec.name ?? id,
      phase: 'Stopped',
      message: spec.triggeredBy.every((t) => t === 'manual') ? 'starts on request' : '',
      restarts: previous?.restarts ?? 0,
      ...(previous?.exitCode !== undefined ? { exitCode: previous.exitCode } : {}),
    };
  }

  /** Starts the service unless a run is already going (during a stop: once the stop is done). */
  start(): void {
    if (this.disposed) return;
    this.desired = 'running';
    if (this.stopping || this.token || this.restartTimer) return;
    void this.launch();
  }

  /** Takes over a run found alive in the container (started by an earlier runner). */
  adopt(token: string): void {
    if (this.disposed) return;
    this.desired = 'running';
    this.token = token;
    this.runStarted = Date.now();
    this.sink.log(serviceLog(this.id), '[devrig] the runner restarted: following the running service again');
    this.set({
      phase: this.spec.commands.ready ? 'Running' : 'Ready',
      message: 'adopted after a runner restart',
    });
    this.follow(token, '0');
    if (this.spec.commands.ready) void this.probeUntilReady(token);
  }

  /**
   * A changed definition: a service that should run is restarted with it (unless it is asked to
   * stop meanwhile: what is wanted when the old run is gone decides).
   */
  update(spec: ServiceSpec): void {
    const changed = JSON.stringify(spec.commands) !== JSON.stringify(this.spec.commands);
    this.spec = spec;
    this.status.name = spec.name ?? this.id;
    if (changed && this.desired === 'running') void this.stopRun({ graceSeconds: 5 });
  }

  /** Stops the service (and keeps it stopped until start()). */
  async stop(opts: StopOptions = {}): Promise<void> {
    this.desired = 'stopped';
    await this.stopRun(opts);
  }

  /**
   * Ends the current run (or a pending restart) without changing what is wanted; once it is
   * done, a service wanted running (start() or update() meanwhile) is launched again.
   */
  private stopRun(opts: StopOptions): Promise<void> {
    this.stopping ??= this.endRun(opts).finally(() => {
      this.stopping = undefined;
      if (!this.disposed && this.desired === 'running' && !this.token && !this.restartTimer) {
        void this.launch();
      }
    });
    return this.stopping;
  }

  private async endRun(opts: StopOptions): Promise<void> {
    const grace = opts.graceSeconds ?? 5;
    this.clearRestart();
    this.probe?.abort();
    const token = this.token;
    if (!token) {
      if (this.status.phase !== 'Stopped') this.set({ phase: 'Stopped', message: 'stopped' });
      return;
    }
    this.set({ phase: 'Stopping', message: 'stopping' });
    const env = await this.target.env().catch(() => ({}));
    const stopCommand = this.spec.commands.stop;
    if (stopCommand && opts.runStopCommand !== false) {
      this.sink.log(serviceLog(this.id), '[devrig] running the stop command');
      const r = await execLines(
        this.target.provider,
        this.target.containerId,
        { cmd: shellCommand(stopCommand), user: this.target.user, workdir: this.target.workdir, env },
        (line) => this.sink.log(serviceLog(this.id), `[stop] ${line}`),
        AbortSignal.timeout(STOP_COMMAND_TIMEOUT_MS),
      ).catch((e: Error) => ({ code: null, tail: [e.message] }));
      if (r.code !== 0) {
        this.sink.log(
          serviceLog(this.id),
          `[devrig] the stop command exited with code ${r.code ?? 'unknown'}`,
        );
      }
      // A stop command usually makes the service end by itself: give it the grace period.
      await this.waitForExit(grace * 1000);
    }
    // Also whatever the run forked and left behind after it ended.
    await execOutput(
      this.target.provider,
      this.target.containerId,
      stopProcessTree(token, grace),
      this.target.user,
    ).catch(() => undefined);
    await this.waitForExit(3000);
    this.follower?.abort();
    if (this.token === token) this.token = undefined;
    this.set({ phase: 'Stopped', message: 'stopped', finishedAt: this.sink.now().toISOString() });
  }

  /** Service files are per environment (environments may share a plain host). */
  private get scope(): string {
    return this.target.containerId.slice(0, 12);
  }

  /** Forgets the service without touching the container (it is gone, or the runner stops). */
  dispose(): void {
    this.disposed = true;
    this.clearRestart();
    this.probe?.abort();
    this.follower?.abort();
    for (const w of this.exitWaiters.splice(0)) w();
  }

  private async launch(): Promise<void> {
    // One run at a time: a restart timer and a start() may both get here.
    if (this.disposed || this.desired !== 'running' || this.stopping || this.token) return;
    const token = `${this.id}.${randomBytes(6).toString('hex')}`;
    this.token = token;
    this.runStarted = Date.now();
    this.tail.clear();
    this.set({
      phase: 'Starting',
      message: 'starting',
      startedAt: this.sink.now().toISOString(),
      finishedAt: undefined,
    });
    let env: Record<string, string>;
    try {
      env = { ...(await this.target.env()), [SERVICE_MARKER]: token };
    } catch (e) {
      this.onEnded(token, undefined, `could not start: ${(e as Error).message}`);
      return;
    }
    // Stopped (or forgotten) while the environment was being read: this run never starts.
    if (this.token !== token || this.disposed || this.stopping) {
      if (this.token === token) this.endedBeforeStart(token);
      return;
    }
    // The run lives on its own (output to a file): this exec only ends with it.
    execLines(
      this.target.provider,
      this.target.containerId,
      {
        cmd: launchService(this.scope, this.id, token, this.spec.commands.start),
        user: this.target.user,
        workdir: this.target.workdir,
        env,
      },
      () => {},
    ).catch((e: Error) => this.onEnded(token, undefined, `could not start: ${e.message}`));
    this.sink.log(serviceLog(this.id), `[devrig] starting: ${this.spec.commands.start}`);
    this.follow(token, '+1');
    if (this.spec.commands.ready) {
      this.set({ phase: 'Running', message: 'waiting for the ready command to succeed' });
      void this.probeUntilReady(token);
    } else {
      this.set({ phase: 'Ready', message: 'running' });
    }
  }

  /** Streams the run's log into the service log until it ends; then decides what comes next. */
  private follow(token: string, from: '+1' | '0', attempt = 0): void {
    const abort = new AbortController();
    this.follower = abort;
    let exit: string | undefined;
    execLines(
      this.target.provider,
      this.target.containerId,
      { cmd: followService(this.scope, this.id, token, from), user: this.target.user },
      (line, stream) => {
        if (stream === 'stdout') {
          this.tail.push(line);
          this.sink.log(serviceLog(this.id), line);
          return;
        }
        const m = EXIT_LINE.exec(line);
        if (m && m[2] === token) exit = m[1];
      },
      abort.signal,
    ).then(
      () => {
        if (abort.signal.aborted || this.disposed || this.token !== token) return;
        if (exit !== undefined) return this.onEnded(token, exit === '?' ? undefined : Number(exit));
        // The follower went away, not the service (the engine connection broke): follow again.
        if (attempt >= 3) return this.onEnded(token, undefined, 'could not be followed');
        const again = setTimeout(() => {
          if (this.token === token && !this.disposed) this.follow(token, '0', attempt + 1);
        }, 1000);
        again.unref?.();
      },
      (e: Error) => {
        if (abort.signal.aborted || this.disposed || this.token !== token) return;
        this.onEnded(token, undefined, `could not be followed: ${e.message}`);
      },
    );
  }

  /** A run that was never launched: nothing to follow, nothing to restart. */
  private endedBeforeStart(token: string): void {
    if (this.token === token) this.token = undefined;
    for (const w of this.exitWaiters.splice(0)) w();
  }

  /**
   * The run `token` ended (told by its follower, or its launch failed). Only the current run's end
   * counts, once: a late or second report for it (both the launch and the follower saw it) or for
   * an older run is ignored.
   */
  private onEnded(token: string, code: number | undefined, why?: string): void {
    if (this.token !== token) return;
    this.token = undefined;
    for (const w of this.exitWaiters.splice(0)) w();
    this.probe?.abort();
    // A stop ends runs on purpose; it decides what comes next.
    if (this.disposed || this.desired !== 'running' || this.stopping) return;
    const ranFor = Date.now() - this.runStarted;
    this.failures = failuresInARow(this.failures, ranFor, this.policy);
    const delay = restartDelayMs(this.failures, this.policy);
    const what = why ?? (code === undefined ? 'ended' : `exited with code ${code}`);
    this.sink.log(serviceLog(this.id), `[devrig] the service ${what}; restarting in ${delay / 1000}s`);
    this.set({
      phase: 'Failed',
      message: `${what}; restarting in ${delay / 1000}s`,
      exitCode: code,
      finishedAt: this.sink.now().toISOString(),
      logTail: this.tail.text() || undefined,
    });
    // Whatever the dead run left behind (children it forked) must not hold its ports.
    const cleanup = execOutput(
      this.target.provider,
      this.target.containerId,
      stopProcessTree(token, 2),
      this.target.user,
    ).catch(() => undefined);
    this.clearRestart();
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.disposed || this.desired !== 'running') return;
      this.status.restarts++;
      void cleanup.then(() => this.launch());
    }, delay);
    this.restartTimer.unref?.();
  }

  /** Runs the ready command with backoff until it exits 0 (or the run ends). */
  private async probeUntilReady(token: string): Promise<void> {
    const abort = new AbortController();
    this.probe = abort;
    let delay = 500;
    let lastCode: number | null = null;
    while (!abort.signal.aborted && this.token === token && !this.disposed) {
      const env = await this.target.env().catch(() => ({}));
      const signal = AbortSignal.any([abort.signal, AbortSignal.timeout(PROBE_TIMEOUT_MS)]);
      const r = await execLines(
        this.target.provider,
        this.target.containerId,
        {
          cmd: shellCommand(this.spec.commands.ready!),
          user: this.target.user,
          workdir: this.target.workdir,
          env,
        },
        () => {},
        signal,
      ).catch(() => ({ code: null }));
      if (abort.signal.aborted || this.token !== token) return;
      if (r.code === 0) {
        this.sink.log(serviceLog(this.id), '[devrig] ready');
        this.set({ phase: 'Ready', message: 'ready' });
        return;
      }
      if (r.code !== lastCode) {
        lastCode = r.code;
        this.set({
          message: `waiting for the ready command to succeed (last exit code ${r.code ?? 'unknown'})`,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      delay = Math.min(5000, Math.round(delay * 1.5));
    }
  }

  private waitForExit(ms: number): Promise<void> {
    if (!this.token) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref?.();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.exitWaiters.push(done);
    });
  }

  private clearRestart(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  private set(patch: Partial<AutomationStatus>): void {
    patchAutomationStatus(this.status, patch);
    this.sink.changed();
  }
}
