// Paces onDidChangeTreeData around VS Code's own debounce. The extension host debounces a tree's change
// events by 200 ms with a leading edge: an event when none came for 200 ms is shown at once, but one
// within 200 ms of the previous restarts the window and waits 200 ms more. A status burst (Stopping, then
// Stopped 150 ms later) would so show its last state ~350 ms late. Holding an event until the window
// has passed lets it take the leading edge instead (shown ~200 ms after the previous one at most). Pure.

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** VS Code's debounce (200 ms) plus a little slack for timer jitter. */
export const TREE_DEBOUNCE_MS = 210;

export class RefreshPacer {
  private lastFire = -Infinity;
  private timer: unknown;

  constructor(
    private readonly fire: () => void,
    private readonly gapMs = TREE_DEBOUNCE_MS,
    private readonly clock: Clock = realClock,
  ) {}

  /** Asks for one fire: now if the last one is old enough, else as soon as it is. */
  request(): void {
    if (this.timer !== undefined) return;
    const wait = this.lastFire + this.gapMs - this.clock.now();
    if (wait <= 0) return this.emit();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.emit();
    }, wait);
  }

  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private emit(): void {
    this.lastFire = this.clock.now();
    this.fire();
  }
}
