import type { AutomationStatus } from '../api';
import type { ContainerProvider } from '../providers/provider';

/** Where and as whom automations run: the environment's container, remote user, workspace. */
export interface AutomationTarget {
  provider: ContainerProvider;
  containerId: string;
  user: string;
  workdir: string;
  /** remoteEnv, spec.env and secrets; asked for at each start, so a changed secret is picked up. */
  env(): Promise<Record<string, string>>;
}

/** What automations report to. Statuses reach the store through the StatusOverlay, which scrubs secrets. */
export interface AutomationSink {
  /** A line of a per-automation log (`service:web`, `task:build`); logs redact secrets. */
  log(source: string, line: string): void;
  /** Some status changed: publish it (coalesced by the receiver). */
  changed(): void;
  now(): Date;
}

export const serviceLog = (id: string) => `service:${id}`;
export const taskLog = (id: string) => `task:${id}`;

/** The last lines of output kept for a status's logTail. */
export class LineTail {
  private readonly lines: string[] = [];
  constructor(private readonly size = 12) {}
  push(line: string): void {
    this.lines.push(line.length > 400 ? line.slice(0, 400) + '…' : line);
    if (this.lines.length > this.size) this.lines.shift();
  }
  clear(): void {
    this.lines.length = 0;
  }
  text(): string {
    return this.lines.join('\n');
  }
}

/** Applies `patch` to `status` in place: keys set to undefined are removed. */
export function patchAutomationStatus(status: AutomationStatus, patch: Partial<AutomationStatus>): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete (status as Record<string, unknown>)[k];
    else (status as Record<string, unknown>)[k] = v;
  }
}
