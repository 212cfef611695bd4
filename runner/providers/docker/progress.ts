/** Turns Docker's pull/build JSON progress into log lines people can read, without flooding. */
export interface ProgressEvent {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { ID?: string };
}

export class ProgressFormatter {
  private readonly lastStatus = new Map<string, string>();
  private lastPercent = new Map<string, number>();

  /** Returns the lines worth logging for this event (often none). */
  format(e: ProgressEvent): string[] {
    if (e.error) return [`error: ${e.errorDetail?.message ?? e.error}`];
    if (e.stream !== undefined) {
      return e.stream
        .split('\n')
        .map((l) => l.trimEnd())
        .filter((l) => l.length > 0);
    }
    if (!e.status) return [];
    if (!e.id) return [e.status];
    const d = e.progressDetail;
    if (d?.total && d.current !== undefined) {
      // Log downloads in 25% steps, not every chunk.
      const pct = Math.floor((d.current / d.total) * 4) * 25;
      const key = `${e.id}:${e.status}`;
      if ((this.lastPercent.get(key) ?? -1) >= pct) return [];
      this.lastPercent.set(key, pct);
      return [`${e.id}: ${e.status} ${pct}% of ${formatBytes(d.total)}`];
    }
    if (this.lastStatus.get(e.id) === e.status) return [];
    this.lastStatus.set(e.id, e.status);
    return [`${e.id}: ${e.status}`];
  }
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}
