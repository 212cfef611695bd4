/** Helpers for benches: medians and ratios from one run, never a bare time alone. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

export const ms = (n: number) => `${n.toFixed(0)} ms`;
export const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
