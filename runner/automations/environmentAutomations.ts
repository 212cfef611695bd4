import { z } from 'zod';
import { ApiError, type AutomationStatus, type AutomationsSpec, type Trigger } from '../api';
import { readContainerFile, writeContainerFile } from '../providers/containerFile';
import { execOutput } from '../reconcile/environment/execLines';
import type { AutomationSink, AutomationTarget } from './automationTarget';
import { findLiveServices, prepareServicesDir } from './serviceScripts';
import { ServiceSupervisor } from './serviceSupervisor';
import { TaskRunner } from './taskRunner';
import { parseJsonOrUndefined } from '../util/json';

/** Bookkeeping kept in the container, so a restarted runner neither re-triggers nor duplicates. */
const STATE_FILE = '/var/lib/devrig/automations.json';
const ContainerState = z.object({
  /** The container start the triggers fired for. */
  startedAt: z.string(),
  triggered: z.boolean(),
  /** What each service should be doing (manual starts and stops included). */
  services: z.record(z.string(), z.enum(['running', 'stopped'])),
});
type ContainerState = z.infer<typeof ContainerState>;

const AUTOMATIC: readonly Trigger[] = ['postEnvironmentStart', 'postDevcontainerStart'];
const startsAutomatically = (triggers: readonly Trigger[]) => triggers.some((t) => AUTOMATIC.includes(t));

/**
 * The automations of one container start: its services' supervisors, its task runner, and the
 * state in the container that says whether the start triggers have fired.
 */
export class EnvironmentAutomations {
  private spec: AutomationsSpec = { services: {}, tasks: {} };
  private readonly services = new Map<string, ServiceSupervisor>();
  private tasks: TaskRunner;
  private state: ContainerState;
  private stateWrite = Promise.resolve();
  private savedState?: string;
  private servicesDirReady = false;
  private disposed = false;

  constructor(
    readonly containerId: string,
    readonly startedAt: string,
    private readonly target: AutomationTarget,
    private readonly sink: AutomationSink,
    private readonly previous: AutomationStatus[],
  ) {
    this.tasks = new TaskRunner({}, target, sink);
    this.state = { startedAt, triggered: false, services: {} };
  }

  /** The definition last applied. */
  get appliedSpec(): AutomationsSpec {
    return this.spec;
  }

  /** Picks up where things are in the container (after a runner restart), then applies `spec`. */
  async begin(spec: AutomationsSpec): Promise<void> {
    const text = await readContainerFile(this.target.provider, this.containerId, STATE_FILE).catch(
      () => undefined,
    );
    const saved = text ? ContainerState.safeParse(parseJsonOrUndefined(text)) : undefined;
    const sameStart = saved?.success && saved.data.startedAt === this.startedAt;
    if (sameStart) {
      this.state = saved.data;
      this.savedState = JSON.stringify(saved.data);
    }
    // Task results of this same start survive a runner restart through the stored status.
    this.tasks = new TaskRunner(spec.tasks, this.target, this.sink, sameStart ? this.previous : []);
    await this.apply(spec, sameStart ? 'adopt' : 'fresh');
  }

  /** A new definition (file edited, spec changed) for the running environment. */
  async apply(spec: AutomationsSpec, mode: 'fresh' | 'adopt' | 'update' = 'update'): Promise<void> {
    if (this.disposed) return;
    this.spec = spec;
    const ids = Object.keys(spec.services);
    if (ids.length && !this.servicesDirReady) {
      await execOutput(this.target.provider, this.containerId, prepareServicesDir(this.target.user));
      this.servicesDirReady = true;
    }
    const live = new Map<string, string>();
    if (mode === 'adopt' && ids.length) {
      const r = await execOutput(
        this.target.provider,
        this.containerId,
        findLiveServices(this.containerId.slice(0, 12), ids),
        this.target.user,
      );
      for (const line of r.stdout.split('\n')) {
        const [id, token] = line.trim().split(' ');
        if (id && token) live.set(id, token);
      }
    }
    for (const [id, s] of [...this.services]) {
      if (id in spec.services) continue;
      this.services.delete(id);
      void s.stop().finally(() => this.sink.changed());
      delete this.state.services[id];
    }
    for (const [id, s] of Object.entries(spec.services)) {
      const existing = this.services.get(id);
      if (existing) {
        existing.update(s);
        continue;
      }
      const previous =
        mode === 'adopt' ? this.previous.find((p) => p.kind === 'service' && p.id === id) : undefined;
      const sup = new ServiceSupervisor(id, s, this.target, this.sink, previous);
      this.services.set(id, sup);
      const token = live.get(id);
      const wanted = this.state.services[id];
      if (token) {
        sup.adopt(token);
        // Stopped on request, yet alive (its stop was cut short by a runner restart): finish it.
        if (wanted === 'stopped') void sup.stop({ runStopCommand: false });
      } else if (
        wanted === 'running' ||
        (wanted === undefined && this.state.triggered && startsAutomatically(s.triggeredBy))
      ) {
        this.state.services[id] = 'running';
        sup.start();
      }
    }
    this.tasks.update(spec.tasks);
    if (!this.state.triggered) await this.fireStartTriggers();
    else this.saveState();
    this.sink.changed();
  }

  /** postEnvironmentStart / postDevcontainerStart: once per container start. */
  private async fireStartTriggers(): Promise<void> {
    this.state.triggered = true;
    for (const [id, s] of Object.entries(this.spec.services)) {
      if (startsAutomatically(s.triggeredBy) && this.state.services[id] !== 'stopped') {
        this.state.services[id] = 'running';
      }
    }
    // Recorded before anything runs: a crash now means a task is not run twice.
    this.saveState();
    await this.stateWrite;
    for (const [id, s] of this.services) if (this.state.services[id] === 'running') s.start();
    const tasks = Object.entries(this.spec.tasks)
      .filter(([, t]) => startsAutomatically(t.triggeredBy))
      .map(([id]) => id);
    if (tasks.length) void this.tasks.run(tasks);
  }

  startService(id: string): void {
    const s = this.mustService(id);
    this.state.services[id] = 'running';
    this.saveState();
    s.start();
  }

  async stopService(id: string): Promise<void> {
    const s = this.mustService(id);
    this.state.services[id] = 'stopped';
    this.saveState();
    await s.stop();
  }

  /** Starts a task run (and its dependencies); resolves once it started, not when it ends. */
  runTask(id: string): void {
    if (!(id in this.spec.tasks)) throw this.unknown(id, 'task');
    if (this.tasks.isRunning(id)) throw new ApiError('Conflict', `task "${id}" is already running`);
    void this.tasks.run([id]);
  }

  cancelTask(id: string): boolean {
    if (!(id in this.spec.tasks)) throw this.unknown(id, 'task');
    return this.tasks.cancel(id);
  }

  has(id: string): 'service' | 'task' | undefined {
    if (id in this.spec.services) return 'service';
    if (id in this.spec.tasks) return 'task';
    return undefined;
  }

  /** Services first, then tasks, each by id. */
  statuses(): AutomationStatus[] {
    const services = [...this.services.values()].map((s) => ({ ...s.status }));
    const tasks = [...this.tasks.statuses.values()].map((s) => ({ ...s }));
    const byId = (a: AutomationStatus, b: AutomationStatus) => a.id.localeCompare(b.id);
    return [...services.sort(byId), ...tasks.sort(byId)];
  }

  /** The environment is stopping: stop commands, then every service's process tree. */
  async stopAll(): Promise<void> {
    this.tasks.dispose();
    await Promise.all([...this.services.values()].map((s) => s.stop({ graceSeconds: 3 })));
  }

  /** Forgets everything without touching the container (it stopped or is out of reach). */
  dispose(): void {
    this.disposed = true;
    for (const s of this.services.values()) s.dispose();
    this.tasks.dispose();
  }

  private mustService(id: string): ServiceSupervisor {
    const s = this.services.get(id);
    if (!s) throw this.unknown(id, 'service');
    return s;
  }

  private unknown(id: string, kind: 'service' | 'task'): ApiError {
    const other = this.has(id);
    if (other) {
      return new ApiError(
        'BadRequest',
        other === 'service'
          ? `"${id}" is a service: start or stop it`
          : `"${id}" is a task: run it (or stop a running one)`,
      );
    }
    const known = [...Object.keys(this.spec.services), ...Object.keys(this.spec.tasks)];
    return new ApiError(
      'NotFound',
      `no ${kind} "${id}"${known.length ? ` (there are: ${known.join(', ')})` : ' (no automations are defined)'}`,
    );
  }

  private saveState(): void {
    const text = JSON.stringify(this.state);
    if (text === this.savedState) return;
    this.savedState = text;
    this.stateWrite = this.stateWrite
      .then(() => writeContainerFile(this.target.provider, this.containerId, STATE_FILE, text))
      .catch(() => {});
  }
}
