import type { Environment } from '../api/environment';
import { findCondition } from '../api/phase';
import type { Resource } from '../api/protocol';

/** "3m", "2h", "5d": like kubectl's AGE column. */
export function age(from: string, now = Date.now()): string {
  const s = Math.max(0, Math.floor((now - Date.parse(from)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '))
    .join('\n');
}

/** The one condition that best explains an environment that is not Ready. */
export function explain(env: Environment): string {
  if (env.status.phase === 'Running') {
    const drift = findCondition(env.status.conditions, 'UpToDate');
    return drift?.status === 'False' ? drift.message : '';
  }
  const idle = findCondition(env.status.conditions, 'Active');
  if (env.status.phase === 'Stopped' && idle?.status === 'False') return `${idle.reason}: ${idle.message}`;
  const bad = env.status.conditions.find(
    (c) => c.status !== 'True' && c.type !== 'Ready' && c.type !== 'ConfigSupported' && c.type !== 'UpToDate',
  );
  const ready = findCondition(env.status.conditions, 'Ready');
  const c = bad ?? ready;
  return c ? `${c.reason}: ${c.message}` : '';
}

export function environmentsTable(items: Environment[], now = Date.now()): string {
  const rows = [['NAME', 'PHASE', 'HOST', 'AGE', 'SOURCE', 'MESSAGE']];
  for (const e of items) {
    rows.push([
      e.metadata.name,
      e.status.phase,
      e.status.host ?? e.spec.host ?? 'local',
      age(e.metadata.creationTimestamp, now),
      e.spec.source.folder ?? e.spec.source.git?.url ?? '',
      truncate(explain(e), 80),
    ]);
  }
  return table(rows);
}

function truncate(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? one.slice(0, n - 1) + '…' : one;
}

export function describe(r: Resource): string {
  return JSON.stringify(r, null, 2);
}
