// Times and sizes the way the panel prints them. Pure.

/** `just now`, `42s ago`, `5m ago`, `3h ago`, `2d ago`; `in 5m` for a time ahead. Empty for a bad date. */
export function relativeTime(iso: string | undefined, now: number): string {
  const t = iso ? Date.parse(iso) : NaN;
  if (Number.isNaN(t)) return '';
  const delta = now - t;
  const span = formatSpan(Math.abs(delta));
  if (span === '') return 'just now';
  return delta >= 0 ? `${span} ago` : `in ${span}`;
}

/** `42s`, `5m`, `1h 5m`, `2d 3h`; empty below five seconds. */
export function formatSpan(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 5) return '';
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** A full local timestamp for tooltips; empty for a bad date. */
export function absoluteTime(iso: string | undefined): string {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t)
    ? ''
    : new Date(t)
        .toISOString()
        .replace('T', ' ')
        .replace(/\.\d+Z$/, 'Z');
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** `512 B`, `1.5 KiB`, `120 MiB`, `2.0 GiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${UNITS[u]}`;
}
