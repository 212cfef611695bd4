/**
 * Remembers one computed value per key for a while: reused while younger than the caller's
 * `maxAgeMs` and computed from the same `inputs`, recomputed otherwise (maxAgeMs 0: always).
 */
export class TimedMemo<V> {
  private readonly entries = new Map<string, { inputs: string; value: V; at: number }>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  async get(key: string, inputs: string, maxAgeMs: number, compute: () => Promise<V>): Promise<V> {
    const started = this.now();
    const e = this.entries.get(key);
    if (e && e.inputs === inputs && started - e.at < maxAgeMs) return e.value;
    const value = await compute();
    // Stamped with when the computation began: what changed while it ran may not be in it.
    this.entries.set(key, { inputs, value, at: started });
    return value;
  }

  forget(key: string): void {
    this.entries.delete(key);
  }
}
