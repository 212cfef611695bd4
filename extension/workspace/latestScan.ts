// Scans that may overlap (a folder change, then a file created while the first scan still reads the disk):
// each is numbered, only the latest one's result is kept, whatever order they finish in, and ready()
// waits for the latest one, including scans started while it waited. vscode-free.

export class LatestScan<T> {
  private started = 0;
  private latest: Promise<void> | undefined;
  private valueOf: T | undefined;

  /** `onResult` runs only for a scan that is still the latest when it finishes. */
  constructor(private readonly onResult: (value: T) => void = () => {}) {}

  /** The latest finished scan's result; undefined before the first. */
  get value(): T | undefined {
    return this.valueOf;
  }

  /** Starts a scan; the promise settles when it finished (its result used only if still the latest). */
  run(scan: () => Promise<T>): Promise<void> {
    const n = ++this.started;
    const p = scan().then((value) => {
      if (n !== this.started) return; // a later scan started meanwhile: its result wins
      this.valueOf = value;
      this.onResult(value);
    });
    this.latest = p;
    return p;
  }

  /** Resolves once the latest scan (as of when it settles) finished; starts `scan` when none ever ran. */
  async ready(scan: () => Promise<T>): Promise<void> {
    for (;;) {
      const p = this.latest ?? this.run(scan);
      await p;
      if (p === this.latest) return;
    }
  }
}
