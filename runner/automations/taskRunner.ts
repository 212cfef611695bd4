import { randomBytes } from 'node:crypto';
import type { AutomationStatus, TaskSpec } from '../api';
import { execLines } from '../reconcile/environment/execLines';
import {
  LineTail,
  patchAutomationStatus,
  taskLog,
  type AutomationSink,
  type AutomationTarget,
} from './automationTarget';
import { SERVICE_MARKER, shellCommand } from './serviceScripts';
import { runOrder } from './taskGraph';

/**
 * Runs tasks in the container: each after the tasks it depends on, independent ones side by side.
 * A requested task always runs; a dependency that already succeeded in this container start is not
 * run again. A failed task's dependents do not run, and say so.
 */
export class TaskRunner {
  readonly statuses = new Map<string, AutomationStatus>();
  private readonly running = new Map<string, { done: Promise<boolean>; abort: AbortController }>();
  private disposed = false;

  constructor(
    private tasks: Record<string, TaskSpec>,
    private readonly target: AutomationTarget,
    private readonly sink: AutomationSink,
    previous: AutomationStatus[] = [],
  ) {
    for (const p of previous) if (p.kind === 'task') this.statuses.set(p.id, interrupted(p));
    this.update(tasks);
  }

  /** A changed set of tasks; statuses of removed ones go, new ones show as Pending. */
  update(tasks: Record<string, TaskSpec>): void {
    this.tasks = tasks;
    for (const id of [...this.statuses.keys()]) if (!(id in tasks)) this.statuses.delete(id);
    for (const [id, t] of Object.entries(tasks)) {
      const s = this.statuses.get(id);
      if (s) s.name = t.name ?? id;
      else {
        this.statuses.set(id, {
          kind: 'task',
          id,
          name: t.name ?? id,
          phase: 'Pending',
          message: t.triggeredBy.includes('manual') && t.triggeredBy.length === 1 ? 'runs on request' : '',
          restarts: 0,
        });
      }
    }
  }

  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  /** Runs `roots` and what they depend on; resolves true when every one succeeded. */
  async run(roots: readonly string[]): Promise<boolean> {
    const order = runOrder(this.tasks, roots);
    const requested = new Set(roots);
    const results = new Map<string, Promise<boolean>>();
    for (const id of order) {
      const task = this.tasks[id]!;
      results.set(
        id,
        (async () => {
          const deps = await Promise.all(
            task.dependsOn.map(async (d) => ({ id: d, ok: await results.get(d)! })),
          );
          const failed = deps.find((d) => !d.ok);
          if (failed) {
            this.set(id, {
              phase: 'Failed',
              message: `not run: ${failed.id} failed`,
              finishedAt: this.sink.now().toISOString(),
              exitCode: undefined,
              logTail: undefined,
            });
            return false;
          }
          const inflight = this.running.get(id);
          if (inflight) return inflight.done;
          if (!requested.has(id) && this.statuses.get(id)?.phase === 'Succeeded') return true;
          return this.execute(id, task);
        })(),
      );
    }
    const all = await Promise.all(order.map((id) => results.get(id)!));
    return all.every(Boolean);
  }

  /** Stops a running task (its whole process tree). */
  cancel(id: string): boolean {
    const r = this.running.get(id);
    r?.abort.abort();
    return !!r;
  }

  dispose(): void {
    this.disposed = true;
    for (const r of this.running.values()) r.abort.abort();
  }

  private execute(id: string, task: TaskSpec): Promise<boolean> {
    const abort = new AbortController();
    const done = (async () => {
      const tail = new LineTail();
      this.set(id, {
        phase: 'Running',
        message: 'running',
        startedAt: this.sink.now().toISOString(),
        finishedAt: undefined,
        exitCode: undefined,
        logTail: undefined,
      });
      this.sink.log(taskLog(id), `[devrig] running: ${task.command}`);
      let code: number | null;
      try {
        const env = await this.target.env();
        const r = await execLines(
          this.target.provider,
          this.target.containerId,
          {
            cmd: shellCommand(task.command),
            user: this.target.user,
            workdir: this.target.workdir,
            // Marked like a service run, so a stop of the environment's processes finds it too.
            env: { ...env, [SERVICE_MARKER]: `task.${id}.${randomBytes(4).toString('hex')}` },
          },
          (line) => {
            tail.push(line);
            this.sink.log(taskLog(id), line);
          },
          abort.signal,
        );
        code = r.code;
      } catch (e) {
        tail.push((e as Error).message);
        code = null;
      }
      if (this.disposed) return false;
      const ok = code === 0 && !abort.signal.aborted;
      const what = abort.signal.aborted
        ? 'cancelled'
        : code === null
          ? 'could not run'
          : ok
            ? 'succeeded'
            : `failed with exit code ${code}`;
      this.sink.log(taskLog(id), `[devrig] ${what}`);
      this.set(id, {
        phase: ok ? 'Succeeded' : 'Failed',
        message: what,
        exitCode: code ?? undefined,
        finishedAt: this.sink.now().toISOString(),
        logTail: ok || !tail.text() ? undefined : tail.text(),
      });
      return ok;
    })().finally(() => this.running.delete(id));
    this.running.set(id, { done, abort });
    return done;
  }

  private set(id: string, patch: Partial<AutomationStatus>): void {
    const s = this.statuses.get(id);
    if (!s) return;
    patchAutomationStatus(s, patch);
    this.sink.changed();
  }
}

/** A task the previous runner was running when it stopped: nobody knows how it ended. */
function interrupted(s: AutomationStatus): AutomationStatus {
  if (s.phase !== 'Running' && s.phase !== 'Starting') return { ...s };
  return { ...s, phase: 'Failed', message: 'the runner restarted while it ran; its outcome is unknown' };
}
