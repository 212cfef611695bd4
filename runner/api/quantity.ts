import { z } from 'zod';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Docker-style byte sizes: 512m, 4g, 1.5g, 1073741824. */
export function parseBytes(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = UNITS[(m[2] ?? '').toLowerCase()];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

export const ByteSize = z
  .string()
  .refine((s) => parseBytes(s) !== undefined, 'must be a size like 512m, 4g or a number of bytes');

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Durations: 45s, 30m, 1h, 1h30m, 250ms. */
export function parseDuration(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.trim().matchAll(re)) {
    if (m.index !== consumed) return undefined;
    total += Number(m[1]) * (DURATION_UNITS[m[2]!] ?? NaN);
    consumed += m[0].length;
  }
  return consumed === text.trim().length && consumed > 0 && Number.isFinite(total) ? total : undefined;
}

export const Duration = z
  .string()
  .refine((s) => parseDuration(s) !== undefined, 'must be a duration like 45s, 30m or 1h30m');
