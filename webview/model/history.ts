// The phase transitions (status.history, newest last) as rows, newest first, with how long each lasted. Pure.

import type { Environment } from '../../runner/api';
import { phaseView, type PhaseView } from './phase';
import { absoluteTime, formatSpan, relativeTime } from './time';

export interface HistoryRow {
  phase: PhaseView;
  when: string;
  whenTitle: string;
  reason: string;
  /** How long the phase lasted (`current` for the last one). */
  lasted: string;
}

export function historyRows(history: Environment['status']['history'], now: number): HistoryRow[] {
  const rows = history.map((h, i) => {
    const next = history[i + 1];
    const end = next ? Date.parse(next.time) : now;
    const span = formatSpan(end - Date.parse(h.time));
    return {
      phase: phaseView(h.phase),
      when: relativeTime(h.time, now),
      whenTitle: absoluteTime(h.time),
      reason: h.reason ?? '',
      lasted: next ? span || '< 5s' : 'current',
    };
  });
  return rows.reverse();
}
