// The handshake rule: a newer extension replaces an older runner; a newer runner is kept (another window
// may have a newer extension). Dev builds (`0.0.0-dev`) compare as the lowest version.

/** Negative when a < b, 0 when equal, positive when a > b; pre-releases sort before their release. */
export function compareVersions(a: string, b: string): number {
  const pa = parse(a);
  const pb = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (pa.core[i] ?? 0) - (pb.core[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (pa.pre === pb.pre) return 0;
  if (pa.pre === '') return 1;
  if (pb.pre === '') return -1;
  return pa.pre < pb.pre ? -1 : 1;
}

function parse(v: string): { core: number[]; pre: string } {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+.*)?$/.exec(v.trim());
  if (!m) return { core: [-1, -1, -1], pre: '' };
  return { core: [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)], pre: m[4] ?? '' };
}

/** Whether this extension should replace the runner it reached. */
export function runnerIsOutdated(runnerVersion: string, extensionVersion: string): boolean {
  return compareVersions(runnerVersion, extensionVersion) < 0;
}
