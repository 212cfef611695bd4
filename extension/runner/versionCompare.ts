// The handshake rule: a newer extension replaces an older runner; a newer runner is kept (another window
// may have a newer extension), unless it speaks another API version. Dev builds (`0.0.0-dev`) compare as
// the lowest version.

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

/**
 * Why the runner this extension reached must be replaced by the bundled one, or undefined to keep it: it
 * is older, or it speaks another API version (it answered `hello` with its own rather than failing). A
 * runner that does not report an API version is judged by its version alone.
 */
export function replaceRunnerBecause(
  runner: { version: string; apiVersion?: number },
  extension: { version: string; apiVersion: number },
): string | undefined {
  if (runner.apiVersion !== undefined && runner.apiVersion !== extension.apiVersion) {
    return `it speaks API version ${runner.apiVersion}, this extension ${extension.apiVersion}`;
  }
  if (runnerIsOutdated(runner.version, extension.version)) {
    return `its version ${runner.version} is older than this extension's (${extension.version})`;
  }
  return undefined;
}
