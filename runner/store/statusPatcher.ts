import type { StatusPatch, StatusWriter } from '../api';
import type { ResourceStore } from './resourceStore';

/** Where a writer sends its status parts (a StatusPatcher; tests record them). */
export interface StatusPartSink<W extends StatusWriter> {
  patch(name: string, patch: StatusPatch<W>): void;
}

/**
 * One writer's status parts for every environment, written through the store's
 * patchEnvironmentStatus soon after they are set: parts set for the same environment in the
 * meantime are merged into one write (ports and activity change in bursts).
 */
export class StatusPatcher<W extends StatusWriter> implements StatusPartSink<W> {
  private readonly pending = new Map<string, StatusPatch<W>>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: ResourceStore,
    private readonly writer: W,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  patch(name: string, patch: StatusPatch<W>): void {
    const prev = this.pending.get(name) ?? {};
    this.pending.set(name, {
      fields: { ...prev.fields, ...patch.fields },
      conditions: { ...prev.conditions, ...patch.conditions },
    });
    this.timer ??= setTimeout(() => void this.flush(), 20);
  }

  /** Drops what is pending for `name` (it was deleted). */
  forget(name: string): void {
    this.pending.delete(name);
  }

  /** Writes what is pending now (tests and shutdown). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.pending];
    this.pending.clear();
    await Promise.all(
      batch.map(([name, patch]) =>
        this.store
          .patchEnvironmentStatus(name, this.writer, patch)
          .catch((e: Error) => this.log(`status of ${name}: ${e.message}`)),
      ),
    );
  }
}
