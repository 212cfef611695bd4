// What a progress notification says while an environment gets where it was sent: the step it is on
// (the phase and Ready's message) and the last line of its log, short enough for one notification
// line. Pure.

import type { Environment } from '../../runner/api';
import { cleanLogLine } from '../../runner/presentation/logText';
import { truncate } from '../../runner/presentation/reasonText';
import { outcomeFor, type Want } from './outcome';

/** The log part is cut to this many characters, the whole message to MAX_MESSAGE. */
const MAX_LOG = 70;
const MAX_MESSAGE = 140;

export function progressMessage(
  env: Environment | undefined,
  generation: number,
  want: Want,
  lastLogLine: string | undefined,
): string {
  const o = env ? outcomeFor(env, generation, want) : undefined;
  const step = o?.state === 'progress' ? o.message : env ? env.status.phase : 'Waiting for the runner';
  const line = lastLogLine ? cleanLogLine(lastLogLine).trim() : '';
  return truncate(line ? `${step} — ${truncate(line, MAX_LOG)}` : step, MAX_MESSAGE);
}

/** The last non-empty line of `text` (a chunk of log), or undefined. */
export function lastLine(text: string): string | undefined {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = cleanLogLine(lines[i]!).trim();
    if (l) return l;
  }
  return undefined;
}
