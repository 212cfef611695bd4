import { isApiError, parseDuration, type Environment, type EnvironmentStatus } from '../api';
import type { EnvLogs } from '../logs/envLogs';
import type { ResourceStore } from '../store/resourceStore';
import type { StatusPartSink } from '../store/statusPatcher';
import { clearLongTimeout, setLongTimeout, type LongTimeout } from '../util/longTimeout';
import { describeTimeout, idleDeadline, isIdle, worthPublishing } from './idlePolicy';

export interface InactivityDeps {
  store: ResourceStore;
  /** Where lastActivity, idleStopAt and the Active condition go. */
  status: StatusPartSink<'activity'>;
  logs: EnvLogs;
  log(msg: string): void;
  /** The timeout when spec.timeouts.inactivity is not set (e.g. for remote hosts); undefined: none. */
  defaultTimeout?(env: Environment): string | undefined;
  now?(): number;
}

interface Watch {
  timeoutMs: number;
  startedAt: string;
  /** Long: an inactivity timeout may be longer than setTimeout's 24.8 days. */
  timer?: LongTimeout;
  publishedDeadline?: number;
}

/** After a runner restart, an idle environment still gets this long before it is stopped. */
const RESTART_GRACE_MS = 60_000;

/** lastActivity alone (no timeout) is written at most this often. */
const ACTIVITY_ONLY_EVERY_MS = 60_000;

/**
 * Tracks activity per environment (see idlePolicy for what counts), publishes lastActivity and
 * idleStopAt, and stops a Running environment whose inactivity timeout passed: its spec.state is
 * set to Stopped through the store, and its Active condition says why.
 */
export class InactivityController {
  private readonly last = new Map<string, number>();
  private readonly watched = new Map<string, Watch>();
  private readonly idleStopped = new Set<string>();
  private readonly activityPublished = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly deps: InactivityDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Someone used environment `name`. */
  activity(name: string): void {
    const now = this.now();
    this.last.set(name, now);
    const w = this.watched.get(name);
    if (w) {
      // The timer stays: when it fires, check() finds the later activity and sets it again (no
      // timer churn on every chunk of a busy session).
      this.publish(name, w);
    } else if (now - (this.activityPublished.get(name) ?? 0) >= ACTIVITY_ONLY_EVERY_MS) {
      this.activityPublished.set(name, now);
      this.deps.status.patch(name, { fields: { lastActivity: new Date(now).toISOString() } });
    }
  }

  /** The environment is Ready: (re)arm its timeout. `env` is as stored before this reconcile. */
  ready(env: Environment, status: EnvironmentStatus): void {
    const name = env.metadata.name;
    const startedAt = status.startedAt ?? '';
    const spec = env.spec.timeouts?.inactivity ?? this.deps.defaultTimeout?.(env);
    const timeoutMs = spec ? parseDuration(spec) : undefined;
    const w = this.watched.get(name);
    if (!w || w.startedAt !== startedAt) {
      const now = this.now();
      const stored = status.lastActivity ? Date.parse(status.lastActivity) : NaN;
      // The same container start seen by a restarted runner keeps its recorded activity, but gets
      // a minute before an idle stop (nobody could connect while the runner was away); a new
      // start is activity itself.
      const sameStart = env.status.startedAt === startedAt && Number.isFinite(stored);
      if (!sameStart) {
        this.last.set(name, now);
        this.idleStopped.delete(name);
      } else if (!this.last.has(name)) {
        const floor = timeoutMs ? Math.min(now, now - timeoutMs + RESTART_GRACE_MS) : stored;
        this.last.set(name, Math.max(stored, floor));
      }
    }
    if (!timeoutMs) {
      if (w) clearLongTimeout(w.timer);
      this.watched.delete(name);
      this.deps.status.patch(name, {
        fields: { idleStopAt: undefined, lastActivity: new Date(this.last.get(name)!).toISOString() },
        conditions: { Active: null },
      });
      return;
    }
    const next: Watch =
      w && w.startedAt === startedAt && w.timeoutMs === timeoutMs ? w : { timeoutMs, startedAt };
    if (next !== w && w) clearLongTimeout(w.timer);
    this.watched.set(name, next);
    this.schedule(name, next);
    this.publish(name, next);
  }

  /** Stopped or deleted: nothing to time any more. The reason of an idle stop stays. */
  stopped(env: Environment): void {
    const name = env.metadata.name;
    const w = this.watched.get(name);
    if (w) clearLongTimeout(w.timer);
    this.watched.delete(name);
    if (env.metadata.deletionTimestamp) {
      this.last.delete(name);
      this.idleStopped.delete(name);
      this.activityPublished.delete(name);
      return;
    }
    this.deps.status.patch(name, {
      fields: { idleStopAt: undefined },
      ...(this.idleStopped.has(name) ? {} : { conditions: { Active: null } }),
    });
  }

  close(): void {
    for (const w of this.watched.values()) clearLongTimeout(w.timer);
    this.watched.clear();
  }

  private schedule(name: string, w: Watch): void {
    clearLongTimeout(w.timer);
    const deadline = idleDeadline(this.last.get(name) ?? this.now(), w.timeoutMs);
    w.timer = setLongTimeout(() => void this.check(name), Math.max(0, deadline - this.now()) + 20, {
      unref: true,
    });
  }

  private publish(name: string, w: Watch): void {
    const last = this.last.get(name) ?? this.now();
    const deadline = idleDeadline(last, w.timeoutMs);
    if (!worthPublishing(w.publishedDeadline, deadline, w.timeoutMs)) return;
    w.publishedDeadline = deadline;
    this.deps.status.patch(name, {
      fields: { lastActivity: new Date(last).toISOString(), idleStopAt: new Date(deadline).toISOString() },
      conditions: {
        Active: {
          type: 'Active',
          status: 'True',
          reason: 'Active',
          message: `stops after ${describeTimeout(w.timeoutMs)} without activity`,
        },
      },
    });
  }

  private async check(name: string): Promise<void> {
    const w = this.watched.get(name);
    if (!w) return;
    const last = this.last.get(name) ?? this.now();
    if (!isIdle(this.now(), last, w.timeoutMs)) return this.schedule(name, w);
    const env = this.deps.store.get('Environment', name);
    if (!env || env.spec.state !== 'Running' || env.metadata.deletionTimestamp) return;
    const timeout = describeTimeout(w.timeoutMs);
    this.idleStopped.add(name);
    this.deps.status.patch(name, {
      fields: { idleStopAt: undefined },
      conditions: {
        Active: {
          type: 'Active',
          status: 'False',
          reason: 'IdleStopped',
          message: `stopped after ${timeout} without activity (last activity ${new Date(last).toISOString()})`,
        },
      },
    });
    this.deps.logs.writer(name)(`Stopping: no activity for ${timeout} (spec.timeouts.inactivity)`);
    this.deps.log(`inactivity: stopping ${name} after ${timeout} without activity`);
    try {
      await this.deps.store.apply({
        kind: 'Environment',
        metadata: { name, resourceVersion: env.metadata.resourceVersion, labels: env.metadata.labels },
        spec: { ...env.spec, state: 'Stopped' },
      });
      this.watched.delete(name);
      clearLongTimeout(w.timer);
    } catch (e) {
      // Someone changed it meanwhile (a Conflict): look again with what is stored now.
      this.idleStopped.delete(name);
      w.publishedDeadline = undefined;
      this.publish(name, w);
      if (!isApiError(e, 'Conflict'))
        this.deps.log(`inactivity: stopping ${name} failed: ${(e as Error).message}`);
      w.timer = setLongTimeout(() => void this.check(name), isApiError(e, 'Conflict') ? 200 : 5000, {
        unref: true,
      });
    }
  }
}
