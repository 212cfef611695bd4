import type { AutomationStatus, EnvironmentStatus, PortStatus } from '../api';
import { removeCondition, setCondition, type ConditionInput } from '../reconcile/conditions';
import type { ResourceStore } from '../store/resourceStore';

/** The status parts the add-ons own; `null` clears a field or removes a condition. */
export interface StatusPart {
  automations?: AutomationStatus[];
  ports?: PortStatus[];
  lastActivity?: string | null;
  idleStopAt?: string | null;
  conditions?: Record<string, ConditionInput | null>;
}

/**
 * Status written by more than one writer: the environment reconciler owns most of it, the add-ons
 * (automations, ports, activity, dotfiles) their parts. The add-ons' latest parts are kept here
 * and laid over every status the reconciler writes (overlayStatus hook) and written on their own
 * through the store's patchStatus, so neither writer puts back the other's stale values. Every
 * status also has secret values scrubbed from its messages here.
 */
export class StatusOverlay {
  private readonly parts = new Map<string, StatusPart>();
  private readonly pending = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: ResourceStore,
    private readonly redact: (text: string) => string,
    private readonly now: () => Date = () => new Date(),
    private readonly log: (msg: string) => void = () => {},
  ) {}

  /** Records a part and writes it soon (writes for the same environment are coalesced). */
  set(name: string, part: StatusPart): void {
    const prev = this.parts.get(name) ?? {};
    this.parts.set(name, {
      ...prev,
      ...part,
      conditions: part.conditions ? { ...prev.conditions, ...part.conditions } : prev.conditions,
    });
    this.pending.add(name);
    this.timer ??= setTimeout(() => this.flush(), 20);
  }

  forget(name: string): void {
    this.parts.delete(name);
    this.pending.delete(name);
  }

  /** Lays the recorded parts over `status` and scrubs secrets from it (in place). */
  apply(name: string, status: EnvironmentStatus, generation: number): void {
    const part = this.parts.get(name);
    if (part?.automations) status.automations = structuredClone(part.automations);
    if (part?.ports) status.ports = structuredClone(part.ports);
    if (part?.lastActivity !== undefined) setOrClear(status, 'lastActivity', part.lastActivity);
    if (part?.idleStopAt !== undefined) setOrClear(status, 'idleStopAt', part.idleStopAt);
    for (const [type, c] of Object.entries(part?.conditions ?? {})) {
      status.conditions = c
        ? setCondition(status.conditions, c, generation, this.now())
        : removeCondition(status.conditions, type);
    }
    this.scrub(status);
  }

  /** Writes what is pending now (tests and shutdown). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const names = [...this.pending];
    this.pending.clear();
    await Promise.all(
      names.map((name) =>
        this.store
          .patchStatus('Environment', name, (status) => {
            const env = this.store.get('Environment', name);
            this.apply(name, status, env?.metadata.generation ?? 0);
            return status;
          })
          .catch((e: Error) => this.log(`status of ${name}: ${e.message}`)),
      ),
    );
  }

  private scrub(status: EnvironmentStatus): void {
    const r = this.redact;
    status.conditions = status.conditions.map((c) => {
      const message = r(c.message);
      return message === c.message ? c : { ...c, message };
    });
    if (status.lastError) status.lastError = r(status.lastError);
    for (const a of status.automations) {
      a.message = r(a.message);
      if (a.logTail) a.logTail = r(a.logTail);
    }
  }
}

function setOrClear(status: EnvironmentStatus, key: 'lastActivity' | 'idleStopAt', value: string | null) {
  if (value === null) delete status[key];
  else status[key] = value;
}
