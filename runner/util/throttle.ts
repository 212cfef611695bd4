/** `fn`, run at most once per `intervalMs` (the first call runs): for "there was activity" signals. */
export function atMostEvery(intervalMs: number, fn: () => void): () => void {
  let last = -Infinity;
  return () => {
    const now = Date.now();
    if (now - last < intervalMs) return;
    last = now;
    fn();
  };
}
