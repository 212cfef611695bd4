// The page's copy of what the extension told it, updated message by message. Pure (no DOM), so the way
// messages combine is tested under Node.

import {
  STATS_WINDOW_MS,
  type Environment,
  type HostMessage,
  type RunnerLink,
  type StatsSample,
} from '../runner/api';
import { LogBuffer } from './model/logBuffer';
import { trimSamples } from './model/statsSeries';

export class PageState {
  /** False until the first snapshot: incremental messages before it are already in it. */
  ready = false;
  environment: Environment | null = null;
  runner: RunnerLink = { state: 'connecting' };
  sshCommand = '';
  readonly log: LogBuffer;
  samples: StatsSample[] = [];

  constructor(
    public name: string,
    maxLogLines?: number,
  ) {
    this.log = new LogBuffer(maxLogLines);
  }

  /** Applies one message; returns what changed so the page redraws only that. */
  apply(m: HostMessage): { details: boolean; log: boolean; stats: boolean } {
    const none = { details: false, log: false, stats: false };
    if (m.type === 'snapshot') {
      this.ready = true;
      this.name = m.name;
      this.environment = m.environment;
      this.runner = m.runner;
      this.sshCommand = m.sshCommand;
      this.log.reset(m.log);
      this.samples = trimSamples(m.stats.filter(validTime), STATS_WINDOW_MS);
      return { details: true, log: true, stats: true };
    }
    if (!this.ready) return none;
    switch (m.type) {
      case 'environment':
        this.environment = m.environment;
        return { ...none, details: true };
      case 'runner':
        this.runner = m.runner;
        return { ...none, details: true };
      case 'log':
        if (m.reset) this.log.reset(m.data);
        else this.log.append(m.data);
        return { ...none, log: true };
      case 'stats':
        if (!validTime(m.sample)) return none;
        this.samples = trimSamples([...this.samples, m.sample], STATS_WINDOW_MS);
        return { ...none, stats: true };
    }
  }
}

/** Docker reports year 1 for a container that just stopped. */
function validTime(s: StatsSample): boolean {
  return Date.parse(s.time) > 0;
}
